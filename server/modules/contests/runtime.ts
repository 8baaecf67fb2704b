// The contest runtime: each contest being played lives in the memory of the games home (one process
// of the whole deployment); its hall screens and phones may be connected to any process and are
// reached by socket id through the socket.io adapter. The host advances (her steps: host-steps.ts);
// the server times each question, scores each answer on arrival, and lets the key out only in
// `contest:reveal`. Scores are saved at every reveal, and each question's position before it is
// shown, so a dropped phone rejoins with its score and a host reopening the hall screen (even after a
// restart) picks the game up where it was, never asking a question again (see `load`).
// A question that an exam opened since the contest was made now holds is skipped when it comes up
// (see `advance`), or voided if that exam opened while it was on screen (`reveal`); either is saved
// with the contest.
import { performance } from 'node:perf_hooks'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { AppError, forbidden } from '../../lib/errors.js'
import { orgInScope } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import type { RealtimeServer } from '../../plugins/realtime.js'
import type { GameCaller } from '../../realtime/games-home.js'
import { answerShapeProblem, grade, loadBankQuestions, shuffleOptions } from '../questions/index.js'
import { contestPoints, minReadMs, sendTo } from '../battles/index.js'
import { boardRowsOrNone, maskName } from '../privacy/index.js'
import { contestInScope, type LockedInSubtree } from './service.js'
import { advance, closeRound, reveal, stop, type Steps } from './host-steps.js'
import { ahead, clearTimer, DEFAULT_CONTEST_TIMING, stateFor, type ContestTiming, type Live } from './live.js'
import { contestEnded, contestGone, pinGone } from './errors.js'
import * as q from './queries.js'

export class ContestRuntime {
  timing: ContestTiming = { ...DEFAULT_CONTEST_TIMING, reading: { ...DEFAULT_CONTEST_TIMING.reading } }
  private live = new Map<number, Live>()
  private loading = new Map<number, Promise<Live>>()
  /** What the host's steps use of this runtime (`lockedIn` read at each use: tests replace it). */
  private steps: Steps

  constructor(
    private deps: Deps,
    private io: RealtimeServer,
    /** Questions an open exam holds for someone of a subtree: none of them is shown on the hall screen. */
    private lockedIn: LockedInSubtree,
  ) {
    this.steps = {
      deps,
      io,
      lockedIn: (orgPath) => this.lockedIn(orgPath),
      current: (live) => this.live.get(live.id) === live,
      save: (live, work) => this.save(live, work),
      pushLobby: (live) => this.pushLobby(live, true),
      forget: (live) => void live.saving.finally(() => this.live.delete(live.id)),
    }
  }

  /** The contest in this node's memory, loaded (and its standing restored) on first use. */
  private async load(id: number): Promise<Live> {
    const have = this.live.get(id)
    if (have) return have
    const pending = this.loading.get(id)
    if (pending) return pending
    const loading = (async () => {
      const row = await q.findContest(this.deps.db, id)
      if (!row || (row.status !== 'lobby' && row.status !== 'running')) throw contestGone()
      const questions = (await loadBankQuestions(this.deps.db, row.question_ids as number[])).map((x) => shuffleOptions(x))
      const saved = await q.savedPlayers(this.deps.db, id)
      const skipped = new Set(row.skipped)
      const index = row.last_asked
      // A question asked but not closed when the process died (`restart`): its stem was on the hall
      // screen, its key never was, and the answers to it were in the memory that is gone. It is
      // voided, not asked again (the hall has read it and had time to think) nor revealed (the
      // reveal would show everyone as 未作答 and score nobody who answered). Nobody scores for it; it
      // still counts as asked (it was shown, and no exam holds it, so it is no skip). The hall and
      // the phones read why when they come back — and again at every later resume until the host
      // moves on, from the reason saved with its close (`last_voided`), as for a question an exam
      // took during its countdown.
      const interrupted = index > row.last_closed && !skipped.has(index)
      const voided = interrupted ? 'restart' : index >= 0 && index === row.last_closed ? row.last_voided : null
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
        index,
        skipped,
        voided,
        hostedBy: row.created_by,
        phase: index >= 0 ? 'reveal' : 'lobby',
        ended: null,
        roundStart: 0,
        endsAt: null,
        startedAt: row.started_at ? new Date(row.started_at) : null,
        timer: null,
        lobbyTimer: null,
        lastReveal: null,
        recentNames: [],
        saving: Promise.resolve(),
        advancing: null,
        revealing: null,
      }
      const shown = await this.shownNames(saved.map((p) => ({ userId: p.user_id, name: p.name })))
      for (const p of saved)
        live.players.set(p.user_id, {
          userId: p.user_id,
          name: shown.get(p.user_id) ?? maskName(p.name),
          orgId: p.org_id,
          sockets: new Set(),
          score: p.score,
          correct: p.correct,
          answers: new Map(),
        })
      if (interrupted) {
        const questionId = questions[index].id
        this.save(live, (db) =>
          withTransaction({ db, events: this.deps.events }, async (tx) => {
            await q.saveClosed(tx, id, index, 'restart')
            await audit(tx, null, 'contest.void', 'contest', id, { positions: [index + 1], questionIds: [questionId], reason: 'restart' })
          }),
        )
      }
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
    if (row.status === 'finished' || row.status === 'cancelled') throw contestEnded(row.status)
    const live = await this.load(contestId)
    // An exam made since the contest was created may hold some of the questions still to come. The
    // screen opens all the same (it shows no question until the host moves on), and tells the host
    // which ones will be skipped if that exam is still open when they come up (`advance`).
    const locked = await this.lockedIn(live.orgPath)
    const lockedAhead = ahead(live).filter((i) => locked.has(live.questions[i].id))
    live.hosts.add(caller.socketId)
    live.hostedBy = p.userId
    const screen = sendTo(this.io, [caller.socketId])
    screen.emit('contest:state', stateFor(live, null))
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
    // Ended (the podium, or a cancel) but not yet out of memory: its saves are still running.
    if (live.ended) throw contestEnded(live.ended)
    live.hostedBy = caller.principal.userId
    if (live.phase === 'question') return reveal(this.steps, live)
    // One step at a time: presses that arrive while the open exams are read (a second hall screen,
    // a clicker pressed twice, a flood) join that step instead of reading them again.
    if (live.advancing) return live.advancing
    live.advancing = advance(this.steps, live, caller.principal.userId).finally(() => {
      live.advancing = null
    })
    return live.advancing
  }

  private save(live: Live, work: (db: Deps['db']) => Promise<unknown>) {
    live.saving = live.saving
      .then(() => work(this.deps.db))
      .catch((err) => this.deps.log.error({ err, contestId: live.id }, 'contest save failed'))
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
    if (!row) throw pinGone()
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
    sendTo(this.io, [caller.socketId]).emit('contest:state', stateFor(live, player))
    return { contestId: live.id }
  }

  answer(caller: GameCaller, contestId: number, index: number, answer: unknown) {
    const live = this.live.get(contestId)
    const player = live?.players.get(caller.principal.userId)
    if (!live || !player || !player.sockets.has(caller.socketId)) throw contestGone()
    if (live.phase !== 'question' || live.revealing || index !== live.index) throw new AppError(409, 'ROUND_CLOSED', '本题已结束')
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
    if (present.every((x) => x.answers.has(index))) closeRound(this.steps, live)
  }

  /** The contest was cancelled (here or on another process): stop it if this process runs it. */
  cancelled(contestId: number) {
    const live = this.live.get(contestId)
    if (live) return stop(this.steps, live)
    // Being loaded from a row read before the cancel: stopped as soon as it is in memory.
    void this.loading
      .get(contestId)
      ?.then((loaded) => stop(this.steps, loaded))
      .catch(() => {})
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
      clearTimer(live)
      if (live.lobbyTimer) clearTimeout(live.lobbyTimer)
    }
    this.live.clear()
  }
}
