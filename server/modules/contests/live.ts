// A contest as the games home holds it in memory while it is played: its questions, players and
// where the game stands. Shared by the runtime (loading, hall screens, phones: runtime.ts) and the
// host's steps (asking, revealing, skipping, the podium: host-steps.ts).
import type { RealtimeServer } from '../../plugins/realtime.js'
import type { ContestState, ContestVoidReason, LiveRankRow, ServerToClientEvents } from '../../realtime/events-map.js'
import type { PaperQuestion } from '../questions/index.js'
import { liveQuestion, rankByScore, sendTo, type ReadingSpeed } from '../battles/index.js'
import type { EndedStatus } from './errors.js'

export interface ContestTiming {
  /** Length of one of the contest's "seconds" (tests shorten it). */
  secondMs: number
  /** The host's lobby figures are pushed at most this often. */
  lobbyPushMs: number
  reading: ReadingSpeed
}

export const DEFAULT_CONTEST_TIMING: ContestTiming = {
  secondMs: 1_000,
  lobbyPushMs: 300,
  reading: { baseMs: 400, perCharMs: 25, capMs: 4_000 },
}

export interface Answer {
  answer: unknown
  correct: boolean
  points: number
  elapsedMs: number
  tooFast: boolean
}
export interface Player {
  userId: number
  name: string
  orgId: number
  sockets: Set<string>
  score: number
  correct: number
  answers: Map<number, Answer>
}
export interface Live {
  id: number
  title: string
  orgId: number
  orgPath: string
  pin: string
  createdBy: number
  questions: PaperQuestion[]
  questionMs: number
  players: Map<number, Player>
  hosts: Set<string>
  index: number
  /**
   * Positions skipped because an open exam held their question when they came up (never asked), or
   * when its countdown ended (asked, voided: its key never shown).
   */
  skipped: Set<number>
  /** Why the question at `index` was voided instead of revealed; null once the next one is asked. */
  voided: ContestVoidReason | null
  /** Who hosts (last opened the screen or pressed): the skips and voids her steps make are hers in the audit log. */
  hostedBy: number | null
  phase: 'lobby' | 'question' | 'reveal' | 'ended'
  /**
   * How the game ended, once `phase` is 'ended': a press that comes before the contest leaves memory
   * (its saves still running) is told which, 本场竞答已结束 or 本场竞答已取消, as it is told from the
   * contest's row once it has left.
   */
  ended: EndedStatus | null
  roundStart: number
  endsAt: Date | null
  startedAt: Date | null
  timer: NodeJS.Timeout | null
  lobbyTimer: NodeJS.Timeout | null
  lastReveal: Parameters<ServerToClientEvents['contest:reveal']>[0] | null
  recentNames: string[]
  /** Saves run one after another, in order. */
  saving: Promise<unknown>
  /** The host's step to the next question while it reads the open exams; later presses join it. */
  advancing: Promise<void> | null
  /** The open question's close while it reads the open exams; the bell, the last answer and presses join it. */
  revealing: Promise<void> | null
}

/** Positions not yet asked, in order: after the current one, less those skipped. */
export function ahead(live: Live): number[] {
  const from = live.index + 1
  return live.questions.map((_, i) => i).filter((i) => i >= from && !live.skipped.has(i))
}

/** The hall screens and every player's phones. */
export function everyone(io: RealtimeServer, live: Live) {
  return sendTo(io, [...live.hosts, ...[...live.players.values()].flatMap((p) => [...p.sockets])])
}

export function clearTimer(live: Live) {
  if (live.timer) clearTimeout(live.timer)
  live.timer = null
}

/**
 * Where the game stands, for a hall screen that opens (`player` null) or a phone that (re)joins.
 * At a reveal, only a hall screen is sent it again (`contest:reveal`, by `host`), and only while
 * this process has it; it gets the question too (without its key, which follows in the reveal), for
 * the reveal is drawn on it. A contest loaded after a restart has no reveal in memory, and its key,
 * counts and top five are not rebuilt — the open exams would have to be read again first, or the
 * key could reach someone sitting one that now holds the question — so the screen is told only
 * that it was revealed.
 */
export function stateFor(live: Live, player: Player | null): ContestState {
  const open = live.phase === 'question'
  const closed = live.phase === 'reveal'
  const revealSent = closed && !player && live.lastReveal?.index === live.index
  const revealed = closed && !live.voided && !revealSent
  return {
    contestId: live.id,
    title: live.title,
    phase: live.phase,
    index: live.index,
    total: live.questions.length,
    skipped: [...live.skipped].sort((a, b) => a - b),
    voided: closed ? live.voided : null,
    revealed,
    top: revealed && !player ? standings(live).slice(0, TOP) : [],
    question: open || revealSent ? liveQuestion(live.questions[live.index]) : null,
    endsAt: open && live.endsAt ? live.endsAt.toISOString() : null,
    answered: !!player?.answers.has(live.index),
    score: player?.score ?? 0,
    rank: player && live.index >= 0 ? placeOf(live, player) : 0,
    players: live.players.size,
  }
}

/** How many the hall shows at a reveal. */
export const TOP = 5

/** Every player by score now (ties share a rank), with names: the hall's top five and each phone's place. */
export function standings(live: Live): LiveRankRow[] {
  return rankByScore([...live.players.values()].map((p) => ({ userId: p.userId, name: p.name, score: p.score })))
}

/** Her place by score now (ties share it, as `rankByScore` ranks them): from the scores, no key needed. */
function placeOf(live: Live, player: Player) {
  let above = 0
  for (const p of live.players.values()) if (p.score > player.score) above++
  return above + 1
}
