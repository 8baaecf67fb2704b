// The host's steps through a contest, run in the games home: on to the next question (skipping
// those an open exam holds), its reveal (or its void, when an exam that holds it opened during the
// countdown), and the podium — or a stop, when the contest was cancelled. The server times each
// question and lets the key out only in `contest:reveal`. The runtime (runtime.ts) loads the
// contest, seats the hall screens and phones, and hands these steps what they need (`Steps`).
import { performance } from 'node:perf_hooks'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { withTransaction } from '../../lib/transaction.js'
import type { RealtimeServer } from '../../plugins/realtime.js'
import { liveQuestion, rankByScore, sendTo } from '../battles/index.js'
import { finishContest, type LockedInSubtree } from './service.js'
import { contestEnded, nothingLeftToAsk } from './errors.js'
import { ahead, clearTimer, everyone, standings, TOP, type Live } from './live.js'
import * as q from './queries.js'

/** What the steps use of the runtime. */
export interface Steps {
  deps: Deps
  io: RealtimeServer
  /** Questions an open exam holds for someone of a subtree: none of them is shown on the hall screen. */
  lockedIn: LockedInSubtree
  /** Whether `live` is still the contest in memory (not closed, or stepped down, meanwhile). */
  current(live: Live): boolean
  /** Queues a save behind the contest's earlier ones. */
  save(live: Live, work: (db: Deps['db']) => Promise<unknown>): void
  /** Pushes the host's figures now. */
  pushLobby(live: Live): void
  /** Drops the contest from memory once its saves are done. */
  forget(live: Live): void
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
export async function advance(s: Steps, live: Live, by: number) {
  const { index, phase } = live
  const left = ahead(live)
  if (!left.length) return end(s, live)
  // The status too: a cancel is told to the games home by a message between processes; should one
  // be lost, the host's next press still stops the game.
  const [locked, status] = await Promise.all([s.lockedIn(live.orgPath), q.contestStatus(s.deps.db, live.id)])
  // Closed, stepped down or cancelled while the exams were read.
  if (!s.current(live) || live.index !== index || live.phase !== phase) return
  if (status === 'cancelled') {
    stop(s, live)
    throw contestEnded('cancelled')
  }
  const next = left.find((i) => !locked.has(live.questions[i].id))
  const skip = next === undefined ? left : left.slice(0, left.indexOf(next))
  if (next === undefined && !live.startedAt) throw nothingLeftToAsk(left.length)
  const skipped = [...new Set([...live.skipped, ...skip])].sort((a, b) => a - b)
  if (skip.length)
    s.save(live, (db) =>
      withTransaction({ db, events: s.deps.events }, async (tx) => {
        await q.saveSkipped(tx, live.id, skipped)
        await audit(tx, by, 'contest.skip', 'contest', live.id, {
          positions: skip.map((i) => i + 1),
          questionIds: skip.map((i) => live.questions[i].id),
          reason: 'open_exam',
        })
      }),
    )
  const startedAt = live.startedAt ? null : s.deps.clock.now()
  if (next !== undefined) s.save(live, (db) => q.saveAsked(db, live.id, next, startedAt))
  // Saved before anything moves on, so a restart from here on neither brings a skipped question
  // back nor asks this one again (its key may have been shown).
  await live.saving
  if (!s.current(live) || live.index !== index || live.phase !== phase) return
  if (skip.length) {
    for (const i of skip) live.skipped.add(i)
    everyone(s.io, live).emit('contest:skipped', { contestId: live.id, indices: skip, skipped })
  }
  if (next === undefined) return end(s, live)
  live.startedAt ??= startedAt
  ask(s, live, next)
}

function ask(s: Steps, live: Live, index: number) {
  const now = s.deps.clock.now()
  live.index = index
  live.phase = 'question'
  live.voided = null
  live.roundStart = performance.now()
  live.endsAt = new Date(now.getTime() + live.questionMs)
  everyone(s.io, live).emit('contest:question', {
    contestId: live.id,
    index,
    question: liveQuestion(live.questions[index]),
    endsAt: live.endsAt.toISOString(),
    total: live.questions.length,
    now: now.toISOString(),
  })
  clearTimer(live)
  live.timer = setTimeout(() => closeRound(s, live), live.questionMs)
  s.pushLobby(live)
}

/**
 * Closes the open question: its reveal, or its void when an exam that holds it opened during the
 * countdown. The open exams were read before it was asked; they are read again here, because the
 * reveal sends its key to the hall screen and to every phone, and someone of the subtree may be
 * sitting that exam right now. One reading per question: the bell, the last answer and the host's
 * presses that come while it runs join it, and no answer is taken meanwhile (the time is up).
 * A failed reading reveals nothing; the question stays open until the host presses again.
 */
export function reveal(s: Steps, live: Live): Promise<void> {
  if (live.phase !== 'question') return Promise.resolve()
  if (live.revealing) return live.revealing
  clearTimer(live)
  const index = live.index
  live.revealing = (async () => {
    const held = (await s.lockedIn(live.orgPath)).has(live.questions[index].id)
    // Closed, stepped down or ended while the exams were read.
    if (!s.current(live) || live.phase !== 'question' || live.index !== index) return
    if (held) await voidOpen(s, live)
    else showKey(s, live)
  })().finally(() => {
    live.revealing = null
  })
  return live.revealing
}

/** The bell or the last answer closes the question; nobody waits on it, so a failure is logged. */
export function closeRound(s: Steps, live: Live) {
  reveal(s, live).catch((err) => s.deps.log.error({ err, contestId: live.id }, 'contest reveal failed'))
}

/**
 * The question on screen is now held by an open exam: nothing of its key goes out — no reveal, no
 * counts, no result to any phone (a phone told it was right would know the key) — and nobody scores
 * for it: the points its answers earned on arrival are taken back. It is skipped from here on,
 * saved and audited like a skip before it is asked, and the hall and the phones are told which
 * position and why. The host moves on with 下一题 as after a reveal.
 */
async function voidOpen(s: Steps, live: Live) {
  const index = live.index
  const question = live.questions[index]
  for (const p of live.players.values()) {
    const a = p.answers.get(index)
    if (!a) continue
    p.score -= a.points
    if (a.correct) p.correct--
    p.answers.delete(index)
  }
  live.skipped.add(index)
  const skipped = [...live.skipped].sort((a, b) => a - b)
  const by = live.hostedBy
  s.save(live, (db) =>
    withTransaction({ db, events: s.deps.events }, async (tx) => {
      await q.saveSkipped(tx, live.id, skipped)
      await q.saveClosed(tx, live.id, index, 'open_exam')
      await audit(tx, by, 'contest.skip', 'contest', live.id, {
        positions: [index + 1],
        questionIds: [question.id],
        reason: 'open_exam',
        asked: true,
      })
    }),
  )
  // Saved before the host can move on, so a restart from here on never asks it again.
  await live.saving
  if (!s.current(live) || live.phase !== 'question') return
  live.phase = 'reveal'
  live.lastReveal = null
  live.voided = 'open_exam'
  everyone(s.io, live).emit('contest:voided', { contestId: live.id, index, skipped, reason: 'open_exam' })
  s.pushLobby(live)
}

/** The open question's key, its answer counts and the top five; each phone its own result. */
function showKey(s: Steps, live: Live) {
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
  const ranked = standings(live)
  const top = ranked.slice(0, TOP)
  live.lastReveal = { contestId: live.id, index, correctAnswer: question.answer, counts, top, total: live.questions.length }
  everyone(s.io, live).emit('contest:reveal', live.lastReveal)
  const rankOf = new Map(ranked.map((r) => [r.userId, r.rank]))
  for (const p of live.players.values()) {
    if (!p.sockets.size) continue
    const a = p.answers.get(index)
    sendTo(s.io, [...p.sockets]).emit('contest:result', {
      contestId: live.id,
      index,
      correct: a?.correct ?? false,
      points: a?.points ?? 0,
      score: p.score,
      rank: rankOf.get(p.userId) ?? ranked.length,
    })
  }
  const totals = [...live.players.values()].map((p) => ({ userId: p.userId, score: p.score, correct: p.correct }))
  s.save(live, (db) =>
    withTransaction({ db, events: s.deps.events }, (tx) => q.saveReveal(tx, live.id, index, question.id, answers, totals)),
  )
}

/** The podium; the ranks, the finished state and the ledger activity are saved. */
function end(s: Steps, live: Live) {
  live.phase = 'ended'
  live.ended = 'finished'
  clearTimer(live)
  // The lobby figures are done with; a push still pending would outlive the contest.
  if (live.lobbyTimer) clearTimeout(live.lobbyTimer)
  live.lobbyTimer = null
  const ranked = rankByScore(
    [...live.players.values()].map((p) => ({ userId: p.userId, name: p.name, score: p.score, correct: p.correct })),
  )
  const podium = ranked.filter((r) => r.rank <= 3).map(({ rank, userId, name, score }) => ({ rank, userId, name, score }))
  everyone(s.io, live).emit('contest:end', { contestId: live.id, podium })
  const startedAt = live.startedAt ?? s.deps.clock.now()
  s.save(live, () =>
    finishContest(s.deps, {
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
  s.forget(live)
}

/** The contest was cancelled: the game stops where it is, without a podium (cancelContest). */
export function stop(s: Steps, live: Live) {
  if (live.phase === 'ended') return
  live.phase = 'ended'
  live.ended = 'cancelled'
  clearTimer(live)
  if (live.lobbyTimer) clearTimeout(live.lobbyTimer)
  live.lobbyTimer = null
  everyone(s.io, live).emit('contest:cancelled', { contestId: live.id })
  s.forget(live)
}
