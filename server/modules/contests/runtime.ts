// The contest runtime: each contest being played lives in the memory of the games home (one process
// of the whole deployment); its hall screens and phones may be connected to any process and are
// reached by socket id through the socket.io adapter. The host advances; the server
// times each question, scores each answer on arrival, and lets the key out only in
// `contest:reveal`. Scores are saved at every reveal, so a dropped phone rejoins with its score
// and a host reopening the hall screen (even after a restart) picks the game up at the last reveal.
// A question that an exam opened since the contest was made now holds is skipped when it comes up
// (see `advance`), and the skip is saved with the contest.
import { performance } from 'node:perf_hooks'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { AppError, forbidden } from '../../lib/errors.js'
import { orgInScope } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import type { RealtimeServer } from '../../plugins/realtime.js'
import type { GameCaller } from '../../realtime/games-home.js'
import type { ContestState, LiveRankRow, ServerToClientEvents } from '../../realtime/events-map.js'
import { answerShapeProblem, grade, loadBankQuestions, shuffleOptions, type PaperQuestion } from '../questions/index.js'
import { contestPoints, liveQuestion, minReadMs, rankByScore, sendTo, type ReadingSpeed } from '../battles/index.js'
import { boardRowsOrNone, maskName } from '../privacy/index.js'
import { contestInScope, finishContest, nothingLeftToAsk, type LockedInSubtree } from './service.js'
import * as q from './queries.js'

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

interface Answer {
  answer: unknown
  correct: boolean
  points: number
  elapsedMs: number
  tooFast: boolean
}
interface Player {
  userId: number
  name: string
  orgId: number
  sockets: Set<string>
  score: number
  correct: number
  answers: Map<number, Answer>
}
interface Live {
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
  /** Positions skipped because an open exam held their question when they came up; never asked. */
  skipped: Set<number>
  phase: 'lobby' | 'question' | 'reveal' | 'ended'
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
}

const GONE = '竞答不存在或已结束'

export class ContestRuntime {
  timing: ContestTiming = { ...DEFAULT_CONTEST_TIMING, reading: { ...DEFAULT_CONTEST_TIMING.reading } }
  private live = new Map<number, Live>()
  private loading = new Map<number, Promise<Live>>()

  constructor(
    private deps: Deps,
    private io: RealtimeServer,
    /** Questions an open exam holds for someone of a subtree: none of them is shown on the hall screen. */
    private lockedIn: LockedInSubtree,
  ) {}

  /** The contest in this node's memory, loaded (and its standing restored) on first use. */
  private async load(id: number): Promise<Live> {
    const have = this.live.get(id)
    if (have) return have
    const pending = this.loading.get(id)
    if (pending) return pending
    const loading = (async () => {
      const row = await q.findContest(this.deps.db, id)
      if (!row || row.status === 'finished') throw new AppError(404, 'NOT_FOUND', GONE)
      const questions = (await loadBankQuestions(this.deps.db, row.question_ids as number[])).map((x) => shuffleOptions(x))
      const saved = await q.savedStanding(this.deps.db, id)
      const live: Live = {
        id,
        title: row.title,
        orgId: row.org_id,
        orgPath: row.org_path,
        pin: row.pin,
        createdBy: row.created_by ?? 0,
        questions,
        questionMs: row.seconds_per_question * this.timing.secondMs,
        players: new Map(),
        hosts: new Set(),
        index: saved.lastIndex,
        skipped: new Set(row.skipped),
        phase: saved.lastIndex >= 0 ? 'reveal' : 'lobby',
        roundStart: 0,
        endsAt: null,
        startedAt: row.started_at ? new Date(row.started_at) : null,
        timer: null,
        lobbyTimer: null,
        lastReveal: null,
        recentNames: [],
        saving: Promise.resolve(),
        advancing: null,
      }
      const shown = await this.shownNames(saved.players.map((p) => ({ userId: p.user_id, name: p.name })))
      for (const p of saved.players)
        live.players.set(p.user_id, {
          userId: p.user_id,
          name: shown.get(p.user_id) ?? maskName(p.name),
          orgId: p.org_id,
          sockets: new Set(),
          score: p.score,
          correct: p.correct,
          answers: new Map(),
        })
      this.live.set(id, live)
      return live
    })()
    this.loading.set(id, loading)
    try {
      return await loading
    } finally {
      this.loading.delete(id)
    }
  }

  // ── Host ───────────────────────────────────────────────────────────────────────────────────

  async host(caller: GameCaller, contestId: number) {
    const p = caller.principal
    if (p.role !== 'admin' && p.role !== 'secretary') throw forbidden('只有管理员或书记可以主持竞答')
    const row = await contestInScope(this.deps, p, contestId)
    if (row.status === 'finished') throw new AppError(409, 'FINISHED', '本场竞答已结束')
    const live = await this.load(contestId)
    // An exam made since the contest was created may hold some of the questions still to come. The
    // screen opens all the same (it shows no question until the host moves on), and tells the host
    // which ones will be skipped if that exam is still open when they come up (`advance`).
    const locked = await this.lockedIn(live.orgPath)
    const lockedAhead = this.ahead(live).filter((i) => locked.has(live.questions[i].id))
    live.hosts.add(caller.socketId)
    const screen = sendTo(this.io, [caller.socketId])
    screen.emit('contest:state', this.stateFor(live, null))
    if (live.phase === 'reveal' && live.lastReveal) screen.emit('contest:reveal', live.lastReveal)
    this.pushLobby(live, true)
    return { pin: live.pin, players: live.players.size, ...(lockedAhead.length ? { lockedAhead } : {}) }
  }

  /**
   * The host moves on: lobby or reveal → the next question an open exam does not hold (skipping
   * those it does, `advance`), or the podium when none is left; a question → its reveal now.
   */
  async next(caller: GameCaller, contestId: number) {
    const live = this.live.get(contestId)
    if (!live || !live.hosts.has(caller.socketId)) throw new AppError(404, 'NOT_FOUND', '你没有主持这场竞答')
    if (live.phase === 'question') return this.reveal(live)
    if (live.phase === 'ended') throw new AppError(409, 'FINISHED', '本场竞答已结束')
    // One step at a time: presses that arrive while the open exams are read (a second hall screen,
    // a clicker pressed twice, a flood) join that step instead of reading them again.
    if (live.advancing) return live.advancing
    live.advancing = this.advance(live, caller).finally(() => {
      live.advancing = null
    })
    return live.advancing
  }

  /** Positions not yet asked, in order: after the current one, less those skipped. */
  private ahead(live: Live): number[] {
    const from = live.index + 1
    return live.questions.map((_, i) => i).filter((i) => i >= from && !live.skipped.has(i))
  }

  /**
   * To the next question an open exam does not hold, skipping those it does — or to the podium
   * when none is left. Checked before each question, not only when the screen opened: an exam made
   * while the contest runs may hold the next one, and its key would be on the hall screen a moment
   * later.
   *
   * Skipped at once rather than asking the host first: the only other way on is to wait until the
   * exam closes (days, for a week-long test) in front of a seated hall, and a host on a presenter's
   * clicker has no second button to answer a question with. The hall and the phones are told which
   * question was skipped and why (`contest:skipped`, positions only: nothing of the question).
   * A skipped question stays skipped (saved with the contest) even if the exam closes later.
   *
   * Before the first question, with every question held, nothing is skipped and the start is
   * refused: a podium of a game never played would say nothing, and the contest can start once the
   * exam closes.
   */
  private async advance(live: Live, caller: GameCaller) {
    const { index, phase } = live
    const ahead = this.ahead(live)
    if (!ahead.length) return this.end(live)
    const locked = await this.lockedIn(live.orgPath)
    // Closed (or stepped down) while the exams were read.
    if (this.live.get(live.id) !== live || live.index !== index || live.phase !== phase) return
    const next = ahead.find((i) => !locked.has(live.questions[i].id))
    const skip = next === undefined ? ahead : ahead.slice(0, ahead.indexOf(next))
    if (next === undefined && !live.startedAt) throw nothingLeftToAsk(ahead.length)
    if (skip.length) {
      for (const i of skip) live.skipped.add(i)
      const skipped = [...live.skipped].sort((a, b) => a - b)
      const by = caller.principal.userId
      this.save(live, (db) =>
        withTransaction({ db, events: this.deps.events }, async (tx) => {
          await q.saveSkipped(tx, live.id, skipped)
          await audit(tx, by, 'contest.skip', 'contest', live.id, {
            positions: skip.map((i) => i + 1),
            questionIds: skip.map((i) => live.questions[i].id),
            reason: 'open_exam',
          })
        }),
      )
      // Saved before anything moves on, so a restart from here on does not bring them back.
      await live.saving
      if (this.live.get(live.id) !== live) return
      this.everyone(live).emit('contest:skipped', { contestId: live.id, indices: skip, skipped })
    }
    if (next === undefined) this.end(live)
    else this.ask(live, next)
  }

  private ask(live: Live, index: number) {
    const now = this.deps.clock.now()
    if (!live.startedAt) {
      live.startedAt = now
      this.save(live, (db) => db.updateTable('contests').set({ status: 'running', started_at: now }).where('id', '=', live.id).execute())
    }
    live.index = index
    live.phase = 'question'
    live.roundStart = performance.now()
    live.endsAt = new Date(now.getTime() + live.questionMs)
    this.everyone(live).emit('contest:question', {
      contestId: live.id,
      index,
      question: liveQuestion(live.questions[index]),
      endsAt: live.endsAt.toISOString(),
      total: live.questions.length,
      now: now.toISOString(),
    })
    this.clear(live)
    live.timer = setTimeout(() => this.reveal(live), live.questionMs)
    this.pushLobby(live, true)
  }

  private reveal(live: Live) {
    if (live.phase !== 'question') return
    this.clear(live)
    live.phase = 'reveal'
    const index = live.index
    const question = live.questions[index]
    const counts: Record<string, number> = {}
    if (question.type === 'judge') {
      counts.true = 0
      counts.false = 0
    }
    for (const o of question.options ?? []) counts[o.key] = 0
    counts.none = 0
    const answers: q.SavedAnswer[] = []
    for (const p of live.players.values()) {
      const a = p.answers.get(index)
      if (!a) {
        counts.none++
        continue
      }
      for (const key of [a.answer].flat()) counts[String(key)] = (counts[String(key)] ?? 0) + 1
      answers.push({ userId: p.userId, ...a })
    }
    const ranked = rankByScore([...live.players.values()].map((p) => ({ userId: p.userId, name: p.name, score: p.score })))
    const top: LiveRankRow[] = ranked.slice(0, 5)
    live.lastReveal = { contestId: live.id, index, correctAnswer: question.answer, counts, top, total: live.questions.length }
    this.everyone(live).emit('contest:reveal', live.lastReveal)
    const rankOf = new Map(ranked.map((r) => [r.userId, r.rank]))
    for (const p of live.players.values()) {
      if (!p.sockets.size) continue
      const a = p.answers.get(index)
      sendTo(this.io, [...p.sockets]).emit('contest:result', {
        contestId: live.id,
        index,
        correct: a?.correct ?? false,
        points: a?.points ?? 0,
        score: p.score,
        rank: rankOf.get(p.userId) ?? ranked.length,
      })
    }
    const totals = [...live.players.values()].map((p) => ({ userId: p.userId, score: p.score, correct: p.correct }))
    this.save(live, (db) =>
      withTransaction({ db, events: this.deps.events }, (tx) => q.saveReveal(tx, live.id, index, question.id, answers, totals)),
    )
  }

  private end(live: Live) {
    live.phase = 'ended'
    this.clear(live)
    // The lobby figures are done with; a push still pending would outlive the contest.
    if (live.lobbyTimer) clearTimeout(live.lobbyTimer)
    live.lobbyTimer = null
    const ranked = rankByScore(
      [...live.players.values()].map((p) => ({ userId: p.userId, name: p.name, score: p.score, correct: p.correct })),
    )
    const podium = ranked.filter((r) => r.rank <= 3).map(({ rank, userId, name, score }) => ({ rank, userId, name, score }))
    this.everyone(live).emit('contest:end', { contestId: live.id, podium })
    const startedAt = live.startedAt ?? this.deps.clock.now()
    this.save(live, () =>
      finishContest(this.deps, {
        id: live.id,
        title: live.title,
        orgId: live.orgId,
        createdBy: live.createdBy,
        startedAt,
        questionCount: live.questions.length - live.skipped.size,
        skippedCount: live.skipped.size,
        players: ranked.map((r) => ({ userId: r.userId, score: r.score, correct: r.correct, rank: r.rank })),
      }),
    )
    void live.saving.finally(() => this.live.delete(live.id))
  }

  private save(live: Live, work: (db: Deps['db']) => Promise<unknown>) {
    live.saving = live.saving
      .then(() => work(this.deps.db))
      .catch((err) => this.deps.log.error({ err, contestId: live.id }, 'contest save failed'))
  }

  /** The hall screens and every player's phones. */
  private everyone(live: Live) {
    return sendTo(this.io, [...live.hosts, ...[...live.players.values()].flatMap((p) => [...p.sockets])])
  }

  private clear(live: Live) {
    if (live.timer) clearTimeout(live.timer)
    live.timer = null
  }

  /** The host's screen: players joined, the latest names, answers in for the open question. Coalesced. */
  private pushLobby(live: Live, now = false) {
    if (live.lobbyTimer && !now) return
    if (live.lobbyTimer) clearTimeout(live.lobbyTimer)
    const push = () => {
      live.lobbyTimer = null
      const answered = live.phase === 'question' ? [...live.players.values()].filter((p) => p.answers.has(live.index)).length : 0
      sendTo(this.io, [...live.hosts]).emit('contest:lobby', {
        contestId: live.id,
        players: live.players.size,
        names: live.recentNames.slice(-30),
        answered,
      })
    }
    if (now) return push()
    live.lobbyTimer = setTimeout(push, this.timing.lobbyPushMs)
  }

  // ── Players ────────────────────────────────────────────────────────────────────────────────

  /**
   * The names the hall screen and every push may show: a member who has not agreed to appear by
   * name is shown as 张* (and everyone is, while leaderboards are switched off). Fixed when she
   * joins, so the screen needs no lookup per reveal.
   */
  private async shownNames(people: { userId: number; name: string }[]): Promise<Map<number, string>> {
    const rows = await boardRowsOrNone(this.deps.db, people, (r) => r.userId)
    return new Map(rows.map((r) => [r.userId, r.name]))
  }

  async join(caller: GameCaller, pin: string) {
    const p = caller.principal
    const row = await q.findOpenByPin(this.deps.db, pin)
    if (!row) throw new AppError(404, 'NOT_FOUND', '竞答码无效，或该竞答已结束')
    if (!p.orgPath.startsWith(row.org_path) && !orgInScope(p, row.org_path)) throw forbidden('你不在本场竞答的范围内')
    const live = await this.load(row.id)
    let player = live.players.get(p.userId)
    if (!player) {
      await q.addPlayer(this.deps.db, { contestId: live.id, userId: p.userId, orgId: p.orgId, at: this.deps.clock.now() })
      const name = (await this.shownNames([{ userId: p.userId, name: p.name }])).get(p.userId) ?? maskName(p.name)
      player = live.players.get(p.userId) ?? {
        userId: p.userId,
        name,
        orgId: p.orgId,
        sockets: new Set(),
        score: 0,
        correct: 0,
        answers: new Map(),
      }
      live.players.set(p.userId, player)
      live.recentNames.push(name)
      if (live.recentNames.length > 60) live.recentNames.splice(0, 30)
      this.pushLobby(live)
    }
    player.sockets.add(caller.socketId)
    sendTo(this.io, [caller.socketId]).emit('contest:state', this.stateFor(live, player))
    return { contestId: live.id }
  }

  answer(caller: GameCaller, contestId: number, index: number, answer: unknown) {
    const live = this.live.get(contestId)
    const player = live?.players.get(caller.principal.userId)
    if (!live || !player || !player.sockets.has(caller.socketId)) throw new AppError(404, 'NOT_FOUND', GONE)
    if (live.phase !== 'question' || index !== live.index) throw new AppError(409, 'ROUND_CLOSED', '本题已结束')
    if (player.answers.has(index)) throw new AppError(409, 'ANSWERED', '本题已作答')
    const question = live.questions[index]
    const problem = answerShapeProblem(question, answer)
    if (problem) throw new AppError(400, 'VALIDATION', `answer：${problem}`)
    const elapsedMs = Math.round(performance.now() - live.roundStart)
    const correct = grade(question, answer, 'all_or_nothing').correct
    const tooFast = elapsedMs < minReadMs(question, this.timing.reading)
    const points = contestPoints({ correct, tooFast, elapsedMs }, live.questionMs)
    player.answers.set(index, { answer, correct, points, elapsedMs, tooFast })
    player.score += points
    if (correct) player.correct++
    this.pushLobby(live)
    const present = [...live.players.values()].filter((x) => x.sockets.size)
    if (present.every((x) => x.answers.has(index))) this.reveal(live)
  }

  private stateFor(live: Live, player: Player | null): ContestState {
    const open = live.phase === 'question'
    return {
      contestId: live.id,
      title: live.title,
      phase: live.phase,
      index: live.index,
      total: live.questions.length,
      skipped: [...live.skipped].sort((a, b) => a - b),
      question: open ? liveQuestion(live.questions[live.index]) : null,
      endsAt: open && live.endsAt ? live.endsAt.toISOString() : null,
      answered: !!player?.answers.has(live.index),
      score: player?.score ?? 0,
      players: live.players.size,
    }
  }

  disconnected(caller: GameCaller) {
    for (const live of this.live.values()) {
      live.hosts.delete(caller.socketId)
      live.players.get(caller.principal.userId)?.sockets.delete(caller.socketId)
    }
  }

  /** Waits for the saves of every contest (tests, shutdown). */
  async settle() {
    await Promise.all([...this.live.values()].map((l) => l.saving))
  }

  close() {
    for (const live of this.live.values()) {
      this.clear(live)
      if (live.lobbyTimer) clearTimeout(live.lobbyTimer)
    }
    this.live.clear()
  }
}
