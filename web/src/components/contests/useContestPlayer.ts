// A phone in a contest: the socket's contest events folded into state. A dropped phone (or a
// reload) joins again with the same PIN and gets `contest:state` with its score. A question voided
// instead of revealed (an exam that holds it opened during its countdown) shows why, and no verdict.
// Back at a question revealed while it was away (or before a restart of the server), it reads that the
// question is over, and its score and place: the reveal itself is not sent again.
import { computed, reactive, ref } from 'vue'
import { getSocket } from '@/api/realtime'
import { contestsApi, type ContestState, type ContestVoidReason, type LiveQuestion, type LiveRankRow } from '@/api/contests'
import { useCountdown } from '@/composables/useCountdown'
import { useSocketEvents } from '@/components/battles/useSocketEvents'
import { moreAhead as more } from './ahead'

export function useContestPlayer() {
  const socket = getSocket()
  const pin = ref('')
  const contestId = ref(0)
  const state = reactive({
    title: '',
    phase: 'lobby' as ContestState['phase'],
    index: -1,
    total: 0,
    players: 0,
    score: 0,
    rank: 0,
    skipped: [] as number[],
  })
  const question = ref<LiveQuestion | null>(null)
  const chosen = ref<unknown>(undefined)
  const correctAnswer = ref<unknown>(undefined)
  const result = ref<{ correct: boolean; points: number } | null>(null)
  const podium = ref<LiveRankRow[]>([])
  /** The host cancelled the contest: it stops here, without a podium. */
  const cancelled = ref(false)
  /** Positions the server skipped in the last step (an open exam holds them), shown until the next reveal. */
  const skipped = ref<number[]>([])
  /** The question at this position was voided instead of revealed, and why (until the next question). */
  const voided = ref<{ index: number; reason: ContestVoidReason } | null>(null)
  /** Back at this position after its reveal: the question is over (until the next one). */
  const revealed = ref<number | null>(null)
  const error = ref('')
  const countdown = useCountdown()

  const on = {
    state: (s: ContestState) => {
      contestId.value = s.contestId
      const { title, phase, index, total, players, score, rank, skipped } = s
      Object.assign(state, { title, phase, index, total, players, score, rank, skipped })
      question.value = s.question
      chosen.value = s.answered ? null : undefined
      correctAnswer.value = undefined
      voided.value = s.voided ? { index: s.index, reason: s.voided } : null
      revealed.value = s.revealed ? s.index : null
      if (s.question && s.endsAt) countdown.start(new Date().toISOString(), s.endsAt)
    },
    question: (e: { contestId: number; index: number; question: LiveQuestion; endsAt: string; now: string; total: number }) => {
      if (e.contestId !== contestId.value) return
      Object.assign(state, { phase: 'question', index: e.index, total: e.total })
      question.value = e.question
      chosen.value = undefined
      correctAnswer.value = undefined
      result.value = null
      voided.value = null
      revealed.value = null
      countdown.start(e.now, e.endsAt)
    },
    reveal: (e: { contestId: number; correctAnswer: unknown }) => {
      if (e.contestId !== contestId.value) return
      state.phase = 'reveal'
      correctAnswer.value = e.correctAnswer
      skipped.value = []
      countdown.stop()
    },
    skipped: (e: { contestId: number; indices: number[]; skipped: number[] }) => {
      if (e.contestId !== contestId.value) return
      skipped.value = e.indices
      state.skipped = e.skipped
    },
    voided: (e: { contestId: number; index: number; skipped: number[]; reason: ContestVoidReason }) => {
      if (e.contestId !== contestId.value) return
      Object.assign(state, { phase: 'reveal', index: e.index, skipped: e.skipped })
      voided.value = { index: e.index, reason: e.reason }
      revealed.value = null
      question.value = null
      result.value = null
      skipped.value = []
      countdown.stop()
    },
    result: (e: { contestId: number; correct: boolean; points: number; score: number; rank: number }) => {
      if (e.contestId !== contestId.value) return
      result.value = { correct: e.correct, points: e.points }
      state.score = e.score
      state.rank = e.rank
    },
    end: (e: { contestId: number; podium: LiveRankRow[] }) => {
      if (e.contestId !== contestId.value) return
      state.phase = 'ended'
      podium.value = e.podium
    },
    cancelled: (e: { contestId: number }) => {
      if (e.contestId !== contestId.value) return
      state.phase = 'ended'
      cancelled.value = true
      countdown.stop()
      sessionStorage.removeItem('xuece.contest.pin')
    },
  }
  // A new socket (a dropped network) is not in the contest yet: join again, keeping the score.
  const rejoin = () => {
    if (pin.value && state.phase !== 'ended') void join(pin.value)
  }
  useSocketEvents(socket, {
    'contest:state': on.state,
    'contest:question': on.question,
    'contest:reveal': on.reveal,
    'contest:result': on.result,
    'contest:end': on.end,
    'contest:skipped': on.skipped,
    'contest:voided': on.voided,
    'contest:cancelled': on.cancelled,
    connect: rejoin,
  })

  async function join(code: string) {
    error.value = ''
    try {
      const r = await contestsApi.join(code)
      pin.value = code
      contestId.value = r.contestId
      sessionStorage.setItem('xuece.contest.pin', code)
    } catch (e) {
      error.value = (e as Error).message
    }
  }
  async function answer(value: unknown) {
    if (state.phase !== 'question' || chosen.value !== undefined) return
    chosen.value = value
    try {
      await contestsApi.answer(contestId.value, state.index, value)
    } catch (e) {
      error.value = (e as Error).message
    }
  }
  /** Whether a question may still come after the current one (else the podium is next). */
  const moreAhead = computed(() => more(state.index, state.total, state.skipped))
  return {
    pin,
    contestId,
    state,
    question,
    chosen,
    correctAnswer,
    result,
    podium,
    cancelled,
    skipped,
    voided,
    revealed,
    moreAhead,
    error,
    countdown,
    join,
    answer,
  }
}
