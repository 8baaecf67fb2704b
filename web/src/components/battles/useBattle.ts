// One battle as the page sees it: the socket's battle events folded into state. The server is the
// authority: the page only shows what it is told, and a reconnect brings `battle:state`.
import { onBeforeUnmount, reactive, ref } from 'vue'
import { getSocket, realtimeConnected } from '@/api/realtime'
import { battlesApi, type BattleMode, type BattleState, type LiveQuestion, type LiveRankRow } from '@/api/battles'
import { useCountdown } from '@/composables/useCountdown'
import { useSocketEvents } from './useSocketEvents'

export interface Seat {
  userId: number
  /** Her own name to the player herself; the others by their consent (张* without it). */
  name: string
  orgName?: string
  score: number
  away: boolean
  forfeited: boolean
  lastCorrect: boolean | null
}
export type Phase = 'idle' | 'waiting' | 'intro' | 'question' | 'round' | 'ended'

export function useBattle() {
  const socket = getSocket()
  const phase = ref<Phase>('idle')
  const notice = ref('')
  const battle = reactive({ id: 0, mode: 'duel' as BattleMode, index: -1, total: 0 })
  const seats = ref<Seat[]>([])
  const question = ref<LiveQuestion | null>(null)
  const chosen = ref<unknown>(undefined)
  const correctAnswer = ref<unknown>(undefined)
  const ending = ref<{ ranking: (LiveRankRow & { forfeited: boolean })[]; pointsEarned: number } | null>(null)
  const invitation = ref<{ code: string; mode: BattleMode; from: string } | null>(null)
  const countdown = useCountdown()

  const seat = (userId: number) => seats.value.find((s) => s.userId === userId)
  const mine = (id: number) => id === battle.id

  const on = {
    matched: (e: { battleId: number; mode: BattleMode; players: { userId: number; name: string; orgName?: string }[]; total: number }) => {
      Object.assign(battle, { id: e.battleId, mode: e.mode, index: -1, total: e.total })
      seats.value = e.players.map((p) => ({ ...p, score: 0, away: false, forfeited: false, lastCorrect: null }))
      ending.value = null
      phase.value = 'intro'
    },
    unmatched: (e: { message: string }) => {
      phase.value = 'idle'
      notice.value = e.message
    },
    question: (e: { battleId: number; index: number; question: LiveQuestion; endsAt: string; now: string }) => {
      if (!mine(e.battleId)) return
      battle.index = e.index
      question.value = e.question
      chosen.value = undefined
      correctAnswer.value = undefined
      countdown.start(e.now, e.endsAt)
      phase.value = 'question'
    },
    round: (e: {
      battleId: number
      correctAnswer: unknown
      scores: { userId: number; score: number }[]
      results: { userId: number; correct: boolean }[]
    }) => {
      if (!mine(e.battleId)) return
      correctAnswer.value = e.correctAnswer
      for (const s of e.scores) {
        const x = seat(s.userId)
        if (x) x.score = s.score
      }
      for (const r of e.results) {
        const x = seat(r.userId)
        if (x) x.lastCorrect = r.correct
      }
      countdown.stop()
      phase.value = 'round'
    },
    player: (e: { battleId: number; userId: number; status: 'away' | 'back' | 'forfeited' }) => {
      const x = mine(e.battleId) ? seat(e.userId) : undefined
      if (!x) return
      x.away = e.status === 'away'
      x.forfeited = e.status === 'forfeited'
    },
    state: (s: BattleState) => {
      Object.assign(battle, { id: s.battleId, mode: s.mode, index: s.index, total: s.total })
      seats.value = s.players.map((p) => ({ ...p, lastCorrect: null }))
      question.value = s.question
      correctAnswer.value = undefined
      chosen.value = s.answered ? null : undefined
      if (s.question && s.endsAt) countdown.start(new Date().toISOString(), s.endsAt)
      phase.value = s.phase === 'question' ? 'question' : s.phase === 'intro' ? 'intro' : 'round'
    },
    end: (e: { battleId: number; ranking: (LiveRankRow & { forfeited: boolean })[]; pointsEarned: number }) => {
      if (!mine(e.battleId)) return
      ending.value = { ranking: e.ranking, pointsEarned: e.pointsEarned }
      countdown.stop()
      phase.value = 'ended'
    },
    invited: (e: { code: string; mode: BattleMode; from: { name: string; orgName?: string } }) => {
      invitation.value = { code: e.code, mode: e.mode, from: e.from.orgName ? `${e.from.orgName} ${e.from.name}` : e.from.name }
    },
  }
  // After a reload the socket is new: ask for the battle still running, if any.
  const resumeOnConnect = () => {
    if (battle.id && phase.value !== 'ended') void battlesApi.resume(battle.id)
  }
  useSocketEvents(socket, {
    'battle:matched': on.matched,
    'battle:unmatched': on.unmatched,
    'battle:question': on.question,
    'battle:round': on.round,
    'battle:player': on.player,
    'battle:state': on.state,
    'battle:end': on.end,
    'battle:invited': on.invited,
    connect: resumeOnConnect,
  })
  onBeforeUnmount(() => {
    if (phase.value === 'waiting') void battlesApi.leave()
  })

  async function join(mode: BattleMode, opts: { scope?: 'department' | 'branch'; invite?: string } = {}) {
    notice.value = ''
    phase.value = 'waiting'
    try {
      await battlesApi.join(mode, opts)
    } catch (e) {
      phase.value = 'idle'
      notice.value = (e as Error).message
    }
  }
  async function answer(value: unknown) {
    if (phase.value !== 'question' || chosen.value !== undefined) return
    chosen.value = value
    try {
      await battlesApi.answer(battle.id, battle.index, value)
    } catch (e) {
      notice.value = (e as Error).message
    }
  }
  async function leave() {
    await battlesApi.leave()
    phase.value = 'idle'
  }
  return {
    phase,
    notice,
    battle,
    seats,
    question,
    chosen,
    correctAnswer,
    ending,
    invitation,
    countdown,
    connected: realtimeConnected,
    join,
    answer,
    leave,
  }
}
