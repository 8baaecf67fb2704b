// The hall screen's view of a contest: the host's socket events folded into state. Reopening the
// page (or a reconnect) hosts again and resumes at the current phase. Questions an open exam holds
// are skipped by the server when they come up; the screen says which (`justSkipped`) and, when it
// opens, which of those still to come are held now (`lockedAhead`). A question on screen that an exam
// opened during its countdown holds is voided instead of revealed (`voided`: no key, no score). One
// revealed before a restart of the server is not revealed again: the screen says that it was, with
// the top five from the saved scores (`revealed`).
import { computed, reactive, ref } from 'vue'
import { getSocket } from '@/api/realtime'
import { contestsApi, type ContestState, type ContestVoidReason, type LiveQuestion, type LiveRankRow } from '@/api/contests'
import { useCountdown } from '@/composables/useCountdown'
import { useSocketEvents } from '@/components/battles/useSocketEvents'
import { moreAhead as more } from './ahead'

export interface Reveal {
  index: number
  correctAnswer: unknown
  counts: Record<string, number>
  top: LiveRankRow[]
}

export function useContestHost(contestId: number) {
  const socket = getSocket()
  const state = reactive({
    pin: '',
    title: '',
    phase: 'lobby' as ContestState['phase'],
    index: -1,
    total: 0,
    players: 0,
    answered: 0,
    names: [] as string[],
    skipped: [] as number[],
  })
  /** Positions skipped by the last step (shown until the next reveal). */
  const justSkipped = ref<number[]>([])
  const lockedAhead = ref<number[]>([])
  /** The question at this position was voided instead of revealed, and why (until the next question). */
  const voided = ref<{ index: number; reason: ContestVoidReason } | null>(null)
  /**
   * The question at this position was revealed before a restart; its key and counts are gone, the
   * top five are read again from the scores (until the next question).
   */
  const revealed = ref<{ index: number; top: LiveRankRow[] } | null>(null)
  const question = ref<LiveQuestion | null>(null)
  const reveal = ref<Reveal | null>(null)
  const podium = ref<LiveRankRow[]>([])
  /** The contest was cancelled (from the console): it stops, without a podium. */
  const cancelled = ref(false)
  const error = ref('')
  const busy = ref(false)
  const countdown = useCountdown()
  const mine = (e: { contestId: number }) => e.contestId === contestId

  const on = {
    state: (s: ContestState) => {
      if (!mine(s)) return
      Object.assign(state, { title: s.title, phase: s.phase, index: s.index, total: s.total, players: s.players, skipped: s.skipped })
      question.value = s.question
      voided.value = s.voided ? { index: s.index, reason: s.voided } : null
      revealed.value = s.revealed ? { index: s.index, top: s.top } : null
      if (s.question && s.endsAt) countdown.start(new Date().toISOString(), s.endsAt)
    },
    lobby: (e: { contestId: number; players: number; names: string[]; answered: number }) => {
      if (mine(e)) Object.assign(state, { players: e.players, names: e.names, answered: e.answered })
    },
    question: (e: { contestId: number; index: number; question: LiveQuestion; endsAt: string; now: string; total: number }) => {
      if (!mine(e)) return
      Object.assign(state, { phase: 'question', index: e.index, total: e.total, answered: 0 })
      question.value = e.question
      reveal.value = null
      voided.value = null
      revealed.value = null
      countdown.start(e.now, e.endsAt)
    },
    reveal: (e: Reveal & { contestId: number }) => {
      if (!mine(e)) return
      state.phase = 'reveal'
      reveal.value = e
      justSkipped.value = []
      lockedAhead.value = lockedAhead.value.filter((i) => i > e.index)
      countdown.stop()
    },
    skipped: (e: { contestId: number; indices: number[]; skipped: number[] }) => {
      if (!mine(e)) return
      state.skipped = e.skipped
      justSkipped.value = e.indices
      lockedAhead.value = lockedAhead.value.filter((i) => !e.skipped.includes(i))
    },
    voided: (e: { contestId: number; index: number; skipped: number[]; reason: ContestVoidReason }) => {
      if (!mine(e)) return
      Object.assign(state, { phase: 'reveal', index: e.index, skipped: e.skipped })
      voided.value = { index: e.index, reason: e.reason }
      revealed.value = null
      question.value = null
      reveal.value = null
      justSkipped.value = []
      lockedAhead.value = lockedAhead.value.filter((i) => !e.skipped.includes(i))
      countdown.stop()
    },
    end: (e: { contestId: number; podium: LiveRankRow[] }) => {
      if (!mine(e)) return
      state.phase = 'ended'
      podium.value = e.podium
    },
    cancelled: (e: { contestId: number }) => {
      if (!mine(e)) return
      state.phase = 'ended'
      cancelled.value = true
      countdown.stop()
    },
  }
  const host = async () => {
    error.value = ''
    try {
      const hosted = await contestsApi.host(contestId)
      state.pin = hosted.pin
      lockedAhead.value = hosted.lockedAhead ?? []
    } catch (e) {
      error.value = (e as Error).message
    }
  }
  useSocketEvents(socket, {
    'contest:state': on.state,
    'contest:lobby': on.lobby,
    'contest:question': on.question,
    'contest:reveal': on.reveal,
    'contest:end': on.end,
    'contest:skipped': on.skipped,
    'contest:voided': on.voided,
    'contest:cancelled': on.cancelled,
    connect: host,
  })
  if (socket.connected) void host()

  async function next() {
    busy.value = true
    try {
      await contestsApi.next(contestId)
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      busy.value = false
    }
  }
  /** Whether a question may still come after the current one (else the button leads to the podium). */
  const moreAhead = computed(() => more(state.index, state.total, state.skipped))
  return {
    state,
    question,
    reveal,
    podium,
    cancelled,
    error,
    busy,
    countdown,
    justSkipped,
    lockedAhead,
    voided,
    revealed,
    moreAhead,
    next,
    host,
  }
}
