// Answer modes from the bank's published questions: 每日答题 (5 a day), 每周答题 (5 a week),
// 专项答题 (a set from one category), 挑战答题 (until the first mistake), 随机练习 and 错题重做.
// Practice shows the key and 解析 right after each answer — so it grades only what it served to
// this person (practice-items.ts), never a question one of her open exams could ask.
import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import { AppError, conflict, notFound, validationError } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { shanghaiDate, weekStart } from '../../lib/time.js'
import { award } from '../points/index.js'
import { withTransaction, type Tx } from '../../lib/transaction.js'
import type { Deps } from '../../lib/deps.js'
import { questionsLockedByExams, type ExamCatalog } from '../exams/index.js'
import { answerShapeProblem, grade, notAmong, publicQuestion, publishedOn, type PaperQuestion } from '../questions/index.js'
import { recordInWrongBook, wrongBookItem } from './wrong-book.js'
import { claimAnswer, firstVerdict, serve, servedItem, servedItems, stillPublished } from './practice-items.js'

type Db = Kysely<Database>

/** Practice needs the exam catalog too: an open exam's questions stay out of practice. */
export interface PracticeDeps extends Deps {
  exams: ExamCatalog
}

export type QuizMode = 'daily' | 'weekly' | 'special' | 'challenge' | 'random' | 'wrongbook'
type SetMode = 'daily' | 'weekly' | 'special' | 'random'
const POINT_RULE: Partial<Record<QuizMode, string>> = {
  daily: 'daily_quiz',
  weekly: 'weekly_quiz',
  special: 'special_quiz',
  challenge: 'challenge',
}

const inCategory = (category?: string) => (category ? sql`and (category = ${category} or category like ${category + '/%'})` : sql``)
const specialSize = (size?: number) => (size === 10 ? 10 : 5)

/** The served set an answer belongs to; random and challenge runs are named by their run id. */
function setKeyOf(mode: QuizMode, today: string, opts: { runId?: string; category?: string; size?: number }): string {
  switch (mode) {
    case 'daily':
      return `daily:${today}`
    case 'weekly':
      return `weekly:${weekStart(today)}`
    case 'special':
      return `special:${today}:${specialSize(opts.size)}:${opts.category ?? ''}`
    case 'random':
    case 'challenge':
      if (!opts.runId)
        throw validationError(`${mode === 'random' ? '随机练习' : '挑战答题'}需要 runId`, [{ field: 'runId', message: '缺少 runId' }])
      return `${mode}:${opts.runId}`
    case 'wrongbook':
      return 'wrongbook'
  }
}

/** A set that is the same all day (or week) for one person, different between people. */
async function seededIds(db: Db, seed: string, size: number, today: string, locked: Set<number>, category?: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select id from questions where ${publishedOn(today)} ${notAmong(locked)} ${inCategory(category)}
    order by md5(id::text || ${seed}) limit ${size}`.execute(db)
  return rows.map((r) => r.id)
}

export async function questionSet(deps: PracticeDeps, principal: Principal, mode: SetMode, opts: { category?: string; size?: number }) {
  const now = deps.clock.now()
  const today = shanghaiDate(now)
  const locked = await questionsLockedByExams(deps, deps.exams, principal)
  const runId = mode === 'random' ? randomUUID() : undefined
  const setKey = setKeyOf(mode, today, { ...opts, runId })
  let questions = runId ? [] : await servedItems(deps.db, principal.userId, setKey)
  if (!questions.length) {
    const size = Math.min(Math.max(opts.size ?? 5, 1), 20)
    const ids =
      mode === 'daily'
        ? await seededIds(deps.db, `d:${principal.userId}:${today}`, 5, today, locked)
        : mode === 'weekly'
          ? await seededIds(deps.db, `w:${principal.userId}:${weekStart(today)}`, 5, today, locked)
          : mode === 'special'
            ? await seededIds(
                deps.db,
                `s:${principal.userId}:${today}:${opts.category ?? ''}`,
                specialSize(opts.size),
                today,
                locked,
                opts.category,
              )
            : (
                await sql<{
                  id: number
                }>`select id from questions where ${publishedOn(today)} ${notAmong(locked)} ${inCategory(opts.category)} order by random() limit ${size}`.execute(
                  deps.db,
                )
              ).rows.map((r) => r.id)
    questions = await serve(deps.db, principal.userId, setKey, ids, now)
  }
  // A set served before an exam opened keeps its order, but the exam's questions leave it.
  questions = questions.filter((q) => !locked.has(q.id))
  const ids = questions.map((q) => q.id)
  // What this person already answered in this set today (so a reload shows progress).
  const answered =
    runId || !ids.length
      ? []
      : await deps.db
          .selectFrom('practice_answers')
          .select(['question_id', 'correct'])
          .where('user_id', '=', principal.userId)
          .where('mode', '=', mode)
          .where('day', '=', today)
          .where('question_id', 'in', ids)
          .execute()
  return {
    mode,
    ...(runId && { runId }),
    questions: questions.map(publicQuestion),
    answered: Object.fromEntries(answered.map((a) => [a.question_id, { correct: a.correct }])),
  }
}

export interface AnswerInput {
  mode: QuizMode
  questionId: number
  answer: unknown
  elapsedMs?: number
  /** 挑战答题 and 随机练习 run. */ runId?: string
  /** 专项答题: the set's category and size (5 or 10). */ category?: string
  size?: number
}

/** The question as this person was served it, or a 409 saying why it cannot be graded. */
async function gradableQuestion(
  deps: PracticeDeps,
  principal: Principal,
  input: AnswerInput,
  today: string,
  setKey: string,
): Promise<PaperQuestion> {
  const served =
    input.mode === 'wrongbook'
      ? await wrongBookItem(deps.db, principal.userId, input.questionId)
      : await servedItem(deps.db, principal.userId, setKey, input.questionId)
  if (!served)
    throw new AppError(409, 'NOT_SERVED', input.mode === 'wrongbook' ? '该题不在你的错题本中' : '该题不是本次练习发给你的题目，请重新取题')
  if (input.mode === 'challenge') await checkChallengeQuestion(deps.db, principal.userId, input.runId, served.id)
  if (!(await stillPublished(deps.db, served.id, today))) throw new AppError(409, 'QUESTION_WITHDRAWN', '该题已从题库停用，不再判分')
  if ((await questionsLockedByExams(deps, deps.exams, principal)).has(served.id)) {
    throw new AppError(409, 'QUESTION_ON_OPEN_EXAM', '该题属于你尚未结束的考试，考试结束后才能练习')
  }
  return served
}

/** Grades one practice answer, records it, updates the 错题本 and awards points where the mode earns them. */
export async function answerQuestion(deps: PracticeDeps, principal: Principal, input: AnswerInput) {
  const now = deps.clock.now()
  const today = shanghaiDate(now)
  const setKey = setKeyOf(input.mode, today, input)
  const question = await gradableQuestion(deps, principal, input, today, setKey)
  const problem = answerShapeProblem(question, input.answer)
  if (problem) throw validationError(`answer：${problem}`, [{ field: 'answer', message: problem }])
  const { correct } = grade(question, input.answer, 'all_or_nothing')

  // The answer, the wrong-book and any points commit together; the board hears of it after.
  const points = await withTransaction(deps, async (tx, emit) => {
    // The first answer to a served item is final: its feedback shows the key. The 错题本 is the
    // one place a question is answered again, and it earns nothing.
    if (input.mode !== 'wrongbook' && !(await claimAnswer(tx, principal.userId, setKey, question.id, now)))
      throw await alreadyAnswered(tx, principal.userId, setKey, question, input.mode)
    await tx
      .insertInto('practice_answers')
      .values({
        user_id: principal.userId,
        question_id: question.id,
        mode: input.mode,
        run_id: input.runId ?? null,
        correct,
        elapsed_ms: input.elapsedMs ?? null,
        day: today,
        at: now,
      })
      .execute()
    await recordInWrongBook(tx, principal.userId, question, correct, today, now)
    const rule = POINT_RULE[input.mode]
    if (!rule || !correct) return 0
    const period = input.mode === 'weekly' ? weekStart(today) : today
    const idemKey = input.mode === 'challenge' ? `challenge:${input.runId}:${question.id}` : `${input.mode}:${period}:${question.id}`
    const result = await award(tx, {
      userId: principal.userId,
      orgId: principal.orgId,
      rule,
      idemKey,
      at: now,
      detail: { questionId: question.id },
    })
    if (result.duplicate || !result.points) return 0
    emit('points:changed', principal.userId)
    return result.points
  })
  const next = input.mode === 'challenge' ? await advanceChallenge(deps, principal, input.runId!, correct, question.id) : undefined
  return { correct, correctAnswer: question.answer, explanation: question.explanation, points, ...(next && { challenge: next }) }
}

/**
 * 409 for a second answer to an item: it is not graded. The first answer's verdict and the key it
 * already showed come along, so a second tab or a repeated tap can show the same feedback.
 */
async function alreadyAnswered(db: Db | Tx, userId: number, setKey: string, question: PaperQuestion, mode: QuizMode) {
  const correct = await firstVerdict(db, userId, setKey, question.id, mode)
  return new AppError(409, 'ALREADY_ANSWERED', '这道题已经答过了，每道题以第一次作答为准，请继续答下一题', {
    correct,
    correctAnswer: question.answer,
    explanation: question.explanation,
  })
}

// ── 挑战答题: one question after another until the first mistake ──

export async function startChallenge(deps: PracticeDeps, principal: Principal) {
  const now = deps.clock.now()
  const id = randomUUID()
  await deps.db
    .insertInto('challenge_runs')
    .values({ id, user_id: principal.userId, day: shanghaiDate(now), current_question_id: null, asked: '[]', started_at: now })
    .execute()
  const first = await serveNextChallengeQuestion(deps, principal, id, [])
  await deps.db
    .updateTable('challenge_runs')
    .set({ current_question_id: first?.id ?? null, asked: JSON.stringify(first ? [first.id] : []), ended: !first })
    .where('id', '=', id)
    .execute()
  return { runId: id, question: first ? publicQuestion(first) : null, correct: 0, ended: !first }
}

async function serveNextChallengeQuestion(deps: PracticeDeps, principal: Principal, runId: string, asked: number[]) {
  const now = deps.clock.now()
  const today = shanghaiDate(now)
  const locked = await questionsLockedByExams(deps, deps.exams, principal)
  for (const id of asked) locked.add(id)
  const { rows } = await sql<{ id: number }>`select id from questions where ${publishedOn(today)} and type in ('single', 'judge')
    ${notAmong(locked)} order by random() limit 1`.execute(deps.db)
  if (!rows.length) return null
  const [served] = await serve(deps.db, principal.userId, `challenge:${runId}`, [rows[0].id], now)
  return served ?? null
}

async function checkChallengeQuestion(db: Db, userId: number, runId: string | undefined, questionId: number) {
  const run = await db.selectFrom('challenge_runs').selectAll().where('id', '=', runId!).executeTakeFirst()
  if (!run || run.user_id !== userId) throw notFound('挑战')
  if (run.ended) throw conflict('本轮挑战已结束')
  if (run.current_question_id !== questionId) throw conflict('请回答当前题目')
}

async function advanceChallenge(deps: PracticeDeps, principal: Principal, runId: string, correct: boolean, questionId: number) {
  const run = (await deps.db.selectFrom('challenge_runs').selectAll().where('id', '=', runId).executeTakeFirst())!
  const asked = run.asked as number[]
  const score = run.correct + (correct ? 1 : 0)
  const next = correct ? await serveNextChallengeQuestion(deps, principal, runId, [...asked, questionId]) : null
  await deps.db
    .updateTable('challenge_runs')
    .set({
      correct: score,
      ended: !next,
      current_question_id: next?.id ?? null,
      asked: JSON.stringify(next ? [...asked, next.id] : asked),
    })
    .where('id', '=', runId)
    .where('current_question_id', '=', questionId)
    .execute()
  return { runId, correct: score, ended: !next, next: next ? publicQuestion(next) : null }
}
