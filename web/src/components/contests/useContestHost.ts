// The hall screen's view of a contest: the host's socket events folded into state. Reopening the
// page (or a reconnect) hosts again and resumes at the current phase.
import { reactive, ref } from 'vue'
import { getSocket } from '@/api/realtime'
import { contestsApi, type ContestState, type LiveQuestion, type LiveRankRow } from '@/api/contests'
import { useCountdown } from '@/composables/useCountdown'
import { useSocketEvents } from '@/components/battles/useSocketEvents'

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
  })
  const question = ref<LiveQuestion | null>(null)
  const reveal = ref<Reveal | null>(null)
  const podium = ref<LiveRankRow[]>([])
  const error = ref('')
  const busy = ref(false)
  const countdown = useCountdown()
  const mine = (e: { contestId: number }) => e.contestId === contestId

  const on = {
    state: (s: ContestState) => {
      if (!mine(s)) return
      Object.assign(state, { title: s.title, phase: s.phase, index: s.index, total: s.total, players: s.players })
      question.value = s.question
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
      countdown.start(e.now, e.endsAt)
    },
    reveal: (e: Reveal & { contestId: number }) => {
      if (!mine(e)) return
      state.phase = 'reveal'
      reveal.value = e
      countdown.stop()
    },
    end: (e: { contestId: number; podium: LiveRankRow[] }) => {
      if (!mine(e)) return
      state.phase = 'ended'
      podium.value = e.podium
    },
  }
  const host = async () => {
    error.value = ''
    try {
      state.pin = (await contestsApi.host(contestId)).pin
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
  return { state, question, reveal, podium, error, busy, countdown, next, host }
}
