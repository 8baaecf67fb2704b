// The battle runtime: the matchmaking queues, the running battles and their timers. It does its work
// only in the games home (one process of the whole deployment); players' sockets may be connected to
// any process, and are reached by id through the socket.io adapter. The database gets the battle
// when it starts and its outcome when it ends. The server times
// every round: a question's key leaves only in `battle:round`, after everyone answered or the time
// ran out. Wall-clock stamps (endsAt, the day of the points) come from deps.clock; the time an
// answer took is measured on the process's monotonic clock, the same one the round timers run on.
import { performance } from 'node:perf_hooks'
import { randomBytes } from 'node:crypto'
import type { Deps } from '../../lib/deps.js'
import { AppError } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import type { RealtimeServer } from '../../plugins/realtime.js'
import type { GameCaller } from '../../realtime/games-home.js'
import type { BattleMode, BattleState, LiveQuestion } from '../../realtime/events-map.js'
import { answerShapeProblem, grade, shuffleOptions, type PaperQuestion } from '../questions/index.js'
import { battleRoundScore, minReadMs, type ReadingSpeed } from './scoring.js'
import { drawQuestionIds } from './queries.js'
import { loadBankQuestions } from '../questions/index.js'
import { finishBattle, startBattleRecord, type SeatOutcome } from './service.js'
import { playerCards, seenBy, type PlayerCard } from './names.js'

export interface BattleTiming {
  rounds: number
  roundMs: number
  /** Pause after a round's result before the next question. */
  revealMs: number
  /** Pause between `battle:matched` and the first question. */
  startDelayMs: number
  /** How long a dropped player's seat waits for her to reconnect before she forfeits. */
  graceMs: number
  /** How long a lonely player waits in a queue before being told nobody is free. */
  matchWaitMs: number
  /** How long a private match waits for the invited colleagues. */
  inviteWaitMs: number
  reading: ReadingSpeed
}

export const DEFAULT_BATTLE_TIMING: BattleTiming = {
  rounds: 5,
  roundMs: 15_000,
  revealMs: 3_000,
  startDelayMs: 3_000,
  graceMs: 15_000,
  matchWaitMs: 30_000,
  inviteWaitMs: 120_000,
  reading: { baseMs: 400, perCharMs: 25, capMs: 4_000 },
}

export const SEATS: Record<BattleMode, number> = { duel: 2, four: 4 }

/** What locks questions for one player (the questions of her open exams). */
export type LockedFor = (principal: Principal) => Promise<Set<number>>

interface Entrant {
  userId: number
  name: string
  orgId: number
  principal: Principal
  socketId: string
}
interface Queue {
  key: string
  mode: BattleMode
  matchedIn: string
  scopePath: string
  entries: Entrant[]
  timers: Map<number, NodeJS.Timeout>
}

interface AnswerRec {
  answer: unknown
  correct: boolean
  score: number
  elapsedMs: number
  tooFast: boolean
}
interface Seat {
  userId: number
  /** Her real name: only she is sent it. */
  name: string
  orgId: number
  /** How the others see her (masked without consent) and her unit. */
  card: PlayerCard
  sockets: Set<string>
  score: number
  correct: number
  forfeited: boolean
  awayTimer: NodeJS.Timeout | null
  answers: Map<number, AnswerRec>
}
interface Battle {
  id: number
  mode: BattleMode
  matchedIn: string
  questions: PaperQuestion[]
  seats: Map<number, Seat>
  index: number
  phase: 'intro' | 'question' | 'reveal' | 'ended'
  roundStart: number
  endsAt: Date | null
  timer: NodeJS.Timeout | null
}

/**
 * Emits to exactly these sockets, on whichever process or node each is connected. (socket.io reads
 * an empty room list as "everyone": an empty list here must reach nobody.)
 */
export function sendTo(io: RealtimeServer, socketIds: string[]): { emit: RealtimeServer['emit'] } {
  return socketIds.length ? io.to(socketIds) : { emit: () => true }
}

export const NOT_YOURS = '对战不存在或你不在其中'

/** The part of a question a player sees while it is open: never the key or the explanation. */
export function liveQuestion(q: PaperQuestion): LiveQuestion {
  return { id: q.id, type: q.type, stem: q.stem, options: q.options ?? null }
}

/** The top org of a person's path ("/1/4/9/" → "/1/"): her department, where matching happens by default. */
export const departmentOf = (orgPath: string) => `/${orgPath.split('/').filter(Boolean)[0] ?? ''}/`

export class BattleRuntime {
  timing: BattleTiming = { ...DEFAULT_BATTLE_TIMING, reading: { ...DEFAULT_BATTLE_TIMING.reading } }
  private queues = new Map<string, Queue>()
  /** Where each waiting person waits. */
  private waiting = new Map<number, Queue>()
  private battles = new Map<number, Battle>()
  /** The battle each person plays (0 while hers is being set up). */
  private playing = new Map<number, number>()
  /** Sockets of matched players that disconnected while their battle was being set up. */
  private droppedWhileStarting = new Set<string>()
  private pendingTimers = new Set<NodeJS.Timeout>()
  private closed = false
  /** Counts `forget()`s: a battle still being set up from before one is dropped. */
  private era = 0

  constructor(
    private deps: Deps,
    private io: RealtimeServer,
    private lockedFor: LockedFor,
  ) {}

  // ── Matchmaking ────────────────────────────────────────────────────────────────────────────

  join(caller: GameCaller, mode: BattleMode, scope: 'department' | 'branch', invite?: string): { queued: boolean } {
    const p = caller.principal
    if (this.playing.has(p.userId)) throw new AppError(409, 'IN_BATTLE', '你正在对战中，请先结束当前对战')
    const already = this.waiting.get(p.userId)
    let queue: Queue
    if (invite) {
      const found = this.queues.get(`invite:${invite}`)
      if (!found) throw new AppError(404, 'NOT_FOUND', '邀请已失效或不存在')
      if (!p.orgPath.startsWith(found.scopePath)) throw new AppError(403, 'FORBIDDEN', '只能接受本单位同事的邀请')
      queue = found
    } else {
      const scopePath = scope === 'branch' ? p.orgPath : departmentOf(p.orgPath)
      const key = `${mode}:${scope}:${scopePath}`
      queue = this.queues.get(key) ?? this.newQueue(key, mode, scope, scopePath)
    }
    if (already && already !== queue) this.unqueue(p.userId)
    if (already === queue) {
      // A second join (a reload): the newer socket is told when the match is made.
      queue.entries.find((e) => e.userId === p.userId)!.socketId = caller.socketId
      return { queued: true }
    }
    this.enqueue(
      queue,
      { userId: p.userId, name: p.name, orgId: p.orgId, principal: p, socketId: caller.socketId },
      invite ? this.timing.inviteWaitMs : this.timing.matchWaitMs,
    )
    return { queued: true }
  }

  /** A private match the inviter waits in; colleagues join it with its code. */
  invite(caller: GameCaller, mode: BattleMode): string {
    const p = caller.principal
    if (this.playing.has(p.userId)) throw new AppError(409, 'IN_BATTLE', '你正在对战中，请先结束当前对战')
    this.unqueue(p.userId)
    const code = randomBytes(6).toString('base64url')
    const queue = this.newQueue(`invite:${code}`, mode, 'invite', departmentOf(p.orgPath))
    this.enqueue(
      queue,
      { userId: p.userId, name: p.name, orgId: p.orgId, principal: p, socketId: caller.socketId },
      this.timing.inviteWaitMs,
    )
    return code
  }

  private newQueue(key: string, mode: BattleMode, matchedIn: string, scopePath: string): Queue {
    const queue: Queue = { key, mode, matchedIn, scopePath, entries: [], timers: new Map() }
    this.queues.set(key, queue)
    return queue
  }

  private enqueue(queue: Queue, entrant: Entrant, waitMs: number) {
    queue.entries.push(entrant)
    this.waiting.set(entrant.userId, queue)
    queue.timers.set(
      entrant.userId,
      setTimeout(() => {
        const entry = queue.entries.find((e) => e.userId === entrant.userId)
        this.unqueue(entrant.userId)
        if (entry)
          sendTo(this.io, [entry.socketId]).emit('battle:unmatched', {
            mode: queue.mode,
            message: '暂时没有可以匹配的同事，请稍后再试，或邀请同事对战',
          })
      }, waitMs),
    )
    if (queue.entries.length >= SEATS[queue.mode]) {
      const players = queue.entries.splice(0, SEATS[queue.mode])
      for (const e of players) this.dequeued(queue, e.userId)
      void this.start(queue.mode, queue.matchedIn, players)
    }
  }

  private dequeued(queue: Queue, userId: number) {
    clearTimeout(queue.timers.get(userId))
    queue.timers.delete(userId)
    this.waiting.delete(userId)
    if (!queue.entries.length) this.queues.delete(queue.key)
  }

  /** Takes a person out of whatever queue she waits in. */
  unqueue(userId: number): boolean {
    const queue = this.waiting.get(userId)
    if (!queue) return false
    queue.entries = queue.entries.filter((e) => e.userId !== userId)
    this.dequeued(queue, userId)
    return true
  }

  // ── A battle ───────────────────────────────────────────────────────────────────────────────

  private async start(mode: BattleMode, matchedIn: string, players: Entrant[]) {
    for (const p of players) this.playing.set(p.userId, 0)
    const era = this.era
    const gone = () => this.closed || era !== this.era
    const release = () => {
      for (const p of players) {
        if (this.playing.get(p.userId) === 0) this.playing.delete(p.userId)
        this.droppedWhileStarting.delete(p.socketId)
      }
    }
    try {
      const now = this.deps.clock.now()
      const today = shanghaiDate(now)
      // No question of any player's open exam: a battle shows every key after its round.
      const locked = new Set<number>()
      for (const set of await Promise.all(players.map((p) => this.lockedFor(p.principal)))) for (const id of set) locked.add(id)
      const ids = await drawQuestionIds(this.deps.db, today, locked, this.timing.rounds)
      if (ids.length < this.timing.rounds || gone()) {
        release()
        for (const p of players)
          sendTo(this.io, [p.socketId]).emit('battle:unmatched', { mode, message: '题库中可用于对战的题目不足，请联系管理员' })
        return
      }
      const [bank, cards] = await Promise.all([loadBankQuestions(this.deps.db, ids), playerCards(this.deps.db, players)])
      const questions = bank.map((q) => shuffleOptions(q))
      const id = await startBattleRecord(this.deps, { mode, matchedIn, questionIds: ids, day: today, at: now, players })
      if (gone()) return release()
      const battle: Battle = {
        id,
        mode,
        matchedIn,
        questions,
        seats: new Map(),
        index: -1,
        phase: 'intro',
        roundStart: 0,
        endsAt: null,
        timer: null,
      }
      for (const p of players) {
        battle.seats.set(p.userId, {
          userId: p.userId,
          name: p.name,
          orgId: p.orgId,
          card: cards.get(p.userId)!,
          sockets: new Set(this.droppedWhileStarting.delete(p.socketId) ? [] : [p.socketId]),
          score: 0,
          correct: 0,
          forfeited: false,
          awayTimer: null,
          answers: new Map(),
        })
        this.playing.set(p.userId, id)
      }
      this.battles.set(id, battle)
      const startsAt = new Date(now.getTime() + this.timing.startDelayMs).toISOString()
      // Each player gets the table as she may see it: her own name, the others by their consent.
      for (const seat of battle.seats.values())
        sendTo(this.io, [...seat.sockets]).emit('battle:matched', {
          battleId: id,
          mode,
          players: this.playersSeenBy(battle, seat.userId),
          total: questions.length,
          startsAt,
        })
      // Someone who dropped while the battle was being set up gets her grace period from now.
      for (const seat of battle.seats.values()) if (!seat.sockets.size) this.markAway(battle, seat)
      battle.timer = this.later(() => this.openRound(battle, 0), this.timing.startDelayMs)
    } catch (err) {
      release()
      this.deps.log.error({ err }, 'battle start failed')
      for (const p of players) sendTo(this.io, [p.socketId]).emit('battle:unmatched', { mode, message: '对战创建失败，请稍后再试' })
    }
  }

  private later(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.pendingTimers.delete(timer)
      fn()
    }, ms)
    this.pendingTimers.add(timer)
    return timer
  }

  private clearTimer(battle: Battle) {
    if (battle.timer) {
      clearTimeout(battle.timer)
      this.pendingTimers.delete(battle.timer)
    }
    battle.timer = null
  }

  private playersSeenBy(battle: Battle, viewer: number) {
    return [...battle.seats.values()].map((s) => seenBy(viewer, s))
  }

  private activeSeats(battle: Battle) {
    return [...battle.seats.values()].filter((s) => !s.forfeited)
  }

  /** Emits to the sockets of every player still in the battle. */
  private toSeats(battle: Battle) {
    return sendTo(
      this.io,
      this.activeSeats(battle).flatMap((s) => [...s.sockets]),
    )
  }

  private openRound(battle: Battle, index: number) {
    if (battle.phase === 'ended') return
    const q = battle.questions[index]
    battle.index = index
    battle.phase = 'question'
    battle.roundStart = performance.now()
    const now = this.deps.clock.now()
    battle.endsAt = new Date(now.getTime() + this.timing.roundMs)
    this.toSeats(battle).emit('battle:question', {
      battleId: battle.id,
      index,
      question: liveQuestion(q),
      endsAt: battle.endsAt.toISOString(),
      total: battle.questions.length,
      now: now.toISOString(),
    })
    this.clearTimer(battle)
    battle.timer = this.later(() => this.closeRound(battle), this.timing.roundMs)
  }

  answer(caller: GameCaller, battleId: number, index: number, answer: unknown) {
    const battle = this.battles.get(battleId)
    const seat = battle?.seats.get(caller.principal.userId)
    if (!battle || !seat || seat.forfeited || !seat.sockets.has(caller.socketId)) throw new AppError(404, 'NOT_FOUND', NOT_YOURS)
    if (battle.phase !== 'question' || index !== battle.index) throw new AppError(409, 'ROUND_CLOSED', '本题已结束')
    if (seat.answers.has(index)) throw new AppError(409, 'ANSWERED', '本题已作答')
    const q = battle.questions[index]
    const problem = answerShapeProblem(q, answer)
    if (problem) throw new AppError(400, 'VALIDATION', `answer：${problem}`)
    const elapsedMs = Math.round(performance.now() - battle.roundStart)
    const correct = grade(q, answer, 'all_or_nothing').correct
    const tooFast = elapsedMs < minReadMs(q, this.timing.reading)
    const score = battleRoundScore({ correct, tooFast, elapsedMs }, this.timing.roundMs, battle.questions.length)
    seat.answers.set(index, { answer, correct, score, elapsedMs, tooFast })
    seat.score += score
    if (correct) seat.correct++
    this.closeIfAllAnswered(battle)
  }

  /** A round closes as soon as every player still present has answered. */
  private closeIfAllAnswered(battle: Battle) {
    if (battle.phase !== 'question') return
    const present = this.activeSeats(battle).filter((s) => s.sockets.size)
    if (present.length && present.every((s) => s.answers.has(battle.index))) this.closeRound(battle)
  }

  private closeRound(battle: Battle) {
    if (battle.phase !== 'question') return
    this.clearTimer(battle)
    battle.phase = 'reveal'
    const index = battle.index
    const seats = [...battle.seats.values()]
    this.toSeats(battle).emit('battle:round', {
      battleId: battle.id,
      index,
      correctAnswer: battle.questions[index].answer,
      scores: seats.map((s) => ({ userId: s.userId, score: s.score })),
      results: seats.map((s) => ({ userId: s.userId, answered: s.answers.has(index), correct: s.answers.get(index)?.correct ?? false })),
    })
    battle.timer =
      index + 1 < battle.questions.length
        ? this.later(() => this.openRound(battle, index + 1), this.timing.revealMs)
        : this.later(() => void this.finish(battle), Math.min(this.timing.revealMs, 1_000))
  }

  // ── Drops, returns and forfeits ────────────────────────────────────────────────────────────

  /** A (re)connected socket of someone in a running battle takes her seat again. */
  resume(caller: GameCaller, battleId?: number): boolean {
    const userId = caller.principal.userId
    const id = this.playing.get(userId)
    if (!id || (battleId !== undefined && battleId !== id)) return false
    const battle = this.battles.get(id)
    const seat = battle?.seats.get(userId)
    if (!battle || !seat || seat.forfeited || battle.phase === 'ended') return false
    const wasAway = !seat.sockets.size
    seat.sockets.add(caller.socketId)
    if (seat.awayTimer) clearTimeout(seat.awayTimer)
    seat.awayTimer = null
    sendTo(this.io, [caller.socketId]).emit('battle:state', this.stateFor(battle, seat))
    if (wasAway) this.toSeats(battle).emit('battle:player', { battleId: battle.id, userId, status: 'back' })
    return true
  }

  private stateFor(battle: Battle, seat: Seat): BattleState {
    const open = battle.phase === 'question'
    return {
      battleId: battle.id,
      mode: battle.mode,
      total: battle.questions.length,
      index: battle.index,
      phase: battle.phase === 'ended' ? 'reveal' : battle.phase,
      players: [...battle.seats.values()].map((s) => ({
        ...seenBy(seat.userId, s),
        score: s.score,
        away: !s.sockets.size,
        forfeited: s.forfeited,
      })),
      question: open ? liveQuestion(battle.questions[battle.index]) : null,
      endsAt: open && battle.endsAt ? battle.endsAt.toISOString() : null,
      answered: seat.answers.has(battle.index),
    }
  }

  disconnected(caller: GameCaller) {
    const userId = caller.principal.userId
    if (userId === undefined) return
    const queue = this.waiting.get(userId)
    if (queue?.entries.some((e) => e.userId === userId && e.socketId === caller.socketId)) this.unqueue(userId)
    if (this.playing.get(userId) === 0) this.droppedWhileStarting.add(caller.socketId)
    const battle = this.battles.get(this.playing.get(userId) ?? 0)
    const seat = battle?.seats.get(userId)
    if (!battle || !seat || !seat.sockets.delete(caller.socketId) || seat.sockets.size || seat.forfeited) return
    this.markAway(battle, seat)
    this.closeIfAllAnswered(battle)
  }

  private markAway(battle: Battle, seat: Seat) {
    this.toSeats(battle).emit('battle:player', { battleId: battle.id, userId: seat.userId, status: 'away' })
    seat.awayTimer = setTimeout(() => this.forfeit(battle, seat), this.timing.graceMs)
  }

  /** Leaving: out of the queue, or out of the battle (a forfeit). */
  leave(caller: GameCaller) {
    const userId = caller.principal.userId
    this.unqueue(userId)
    const battle = this.battles.get(this.playing.get(userId) ?? 0)
    const seat = battle?.seats.get(userId)
    if (battle && seat && !seat.forfeited) this.forfeit(battle, seat)
  }

  private forfeit(battle: Battle, seat: Seat) {
    if (seat.forfeited || battle.phase === 'ended') return
    if (seat.awayTimer) clearTimeout(seat.awayTimer)
    seat.awayTimer = null
    const notify = [...battle.seats.values()].flatMap((s) => [...s.sockets])
    seat.forfeited = true
    if (this.playing.get(seat.userId) === battle.id) this.playing.delete(seat.userId)
    sendTo(this.io, notify).emit('battle:player', { battleId: battle.id, userId: seat.userId, status: 'forfeited' })
    if (this.activeSeats(battle).length < 2) void this.finish(battle)
    else this.closeIfAllAnswered(battle)
  }

  private async finish(battle: Battle) {
    if (battle.phase === 'ended') return
    battle.phase = 'ended'
    this.clearTimer(battle)
    // Someone still away when the battle ends has left it: a forfeit, as if her grace had run out.
    for (const seat of battle.seats.values()) {
      if (seat.awayTimer) clearTimeout(seat.awayTimer)
      if (!seat.sockets.size) seat.forfeited = true
    }
    const seats: SeatOutcome[] = [...battle.seats.values()].map((s) => ({
      userId: s.userId,
      name: s.name,
      orgId: s.orgId,
      score: s.score,
      correct: s.correct,
      forfeited: s.forfeited,
      answers: [...s.answers].map(([idx, a]) => ({ idx, questionId: battle.questions[idx].id, ...a })),
    }))
    let outcome: Awaited<ReturnType<typeof finishBattle>>
    try {
      outcome = await finishBattle(this.deps, { id: battle.id, mode: battle.mode, seats })
    } catch (err) {
      this.deps.log.error({ err, battleId: battle.id }, 'battle finish failed')
      outcome = {
        ranking: seats.map((s) => ({ userId: s.userId, name: s.name, score: s.score, rank: 0, forfeited: s.forfeited })),
        points: new Map(),
      }
    }
    this.battles.delete(battle.id)
    for (const seat of battle.seats.values()) {
      if (this.playing.get(seat.userId) === battle.id) this.playing.delete(seat.userId)
      if (seat.forfeited || !seat.sockets.size) continue
      const ranking = outcome.ranking.map((r) => {
        const of = battle.seats.get(r.userId)!
        return { ...r, ...seenBy(seat.userId, of) }
      })
      sendTo(this.io, [...seat.sockets]).emit('battle:end', {
        battleId: battle.id,
        ranking,
        pointsEarned: outcome.points.get(seat.userId) ?? 0,
      })
    }
  }

  /** Figures for the health page and the load test. */
  stats() {
    return { battles: this.battles.size, waiting: this.waiting.size }
  }

  close() {
    this.closed = true
    this.forget()
  }

  /** Drops every queue and battle without a word (this process is no longer the games home). */
  forget() {
    this.era++
    for (const t of this.pendingTimers) clearTimeout(t)
    this.pendingTimers.clear()
    for (const q of this.queues.values()) for (const t of q.timers.values()) clearTimeout(t)
    for (const b of this.battles.values()) for (const s of b.seats.values()) if (s.awayTimer) clearTimeout(s.awayTimer)
    this.queues.clear()
    this.waiting.clear()
    this.battles.clear()
    this.playing.clear()
    this.droppedWhileStarting.clear()
  }
}
