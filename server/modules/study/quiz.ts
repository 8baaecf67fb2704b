// Answer modes from the bank's published questions: 每日答题 (5 a day), 每周答题 (5 a week),
// 专项答题 (a set from one category), 挑战答题 (until the first mistake), 随机练习 and 错题重做.
// Practice shows the key and 解析 right after each answer.
import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { FastifyInstance } from 'fastify'
import type { Database } from '../../db/types.js'
import { conflict, notFound, validationError } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { shanghaiDate, weekStart } from '../../lib/time.js'
import { award } from '../points/award.js'
import { grade } from '../exams/grading.js'
import { answerShapeProblem, publicQuestion, type PaperQuestion } from '../exams/paper.js'
import type { AnswerKey } from '../questions/model.js'
import { recordInWrongBook } from './wrong-book.js'

type Db = Kysely<Database>

export type QuizMode = 'daily' | 'weekly' | 'special' | 'challenge' | 'random' | 'wrongbook'
const POINT_RULE: Partial<Record<QuizMode, string>> = { daily: 'daily_quiz', weekly: 'weekly_quiz', special: 'special_quiz', challenge: 'challenge' }

const published = (today: string) => sql<boolean>`status = 'published' and (valid_until is null or valid_until >= ${today}::date)`
const inCategory = (category?: string) => (category ? sql`and (category = ${category} or category like ${category + '/%'})` : sql``)

async function loadQuestions(db: Db, ids: number[]): Promise<PaperQuestion[]> {
  if (!ids.length) return []
  const rows = await db.selectFrom('questions').select(['id', 'type', 'stem', 'options', 'answer', 'explanation']).where('id', 'in', ids).execute()
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.filter((id) => byId.has(id)).map((id) => {
    const r = byId.get(id)!
    return { id, type: r.type, stem: r.stem, options: r.options ?? undefined, answer: r.answer as AnswerKey, explanation: r.explanation, score: 1 }
  })
}

/** A set that is the same all day (or week) for one person, different between people. */
async function seededSet(db: Db, seed: string, size: number, today: string, category?: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select id from questions where ${published(today)} ${inCategory(category)}
    order by md5(id::text || ${seed}) limit ${size}`.execute(db)
  return rows.map((r) => r.id)
}

export async function questionSet(app: FastifyInstance, principal: Principal, mode: 'daily' | 'weekly' | 'special' | 'random', opts: { category?: string; size?: number }) {
  const today = shanghaiDate(app.clock.now())
  const size = Math.min(Math.max(opts.size ?? 5, 1), 20)
  const ids =
    mode === 'daily' ? await seededSet(app.db, `d:${principal.userId}:${today}`, 5, today) :
    mode === 'weekly' ? await seededSet(app.db, `w:${principal.userId}:${weekStart(today)}`, 5, today) :
    mode === 'special' ? await seededSet(app.db, `s:${principal.userId}:${today}:${opts.category ?? ''}`, size === 10 ? 10 : 5, today, opts.category) :
    (await sql<{ id: number }>`select id from questions where ${published(today)} ${inCategory(opts.category)} order by random() limit ${size}`.execute(app.db)).rows.map((r) => r.id)
  const questions = await loadQuestions(app.db, ids)
  // What this person already answered in this set today (so a reload shows progress).
  const answered = mode === 'random' ? [] : await app.db.selectFrom('practice_answers').select(['question_id', 'correct'])
    .where('user_id', '=', principal.userId).where('mode', '=', mode).where('day', '=', today).where('question_id', 'in', ids.length ? ids : [0]).execute()
  return { mode, questions: questions.map(publicQuestion), answered: Object.fromEntries(answered.map((a) => [a.question_id, { correct: a.correct }])) }
}

export interface AnswerInput {
  mode: QuizMode; questionId: number; answer: unknown; elapsedMs?: number
  /** 挑战答题 run. */ runId?: string
  /** 专项答题: the set's category and size (5 or 10). */ category?: string; size?: number
}

/** Grades one practice answer, records it, updates the 错题本 and awards points where the mode earns them. */
export async function answerQuestion(app: FastifyInstance, principal: Principal, input: AnswerInput) {
  const now = app.clock.now()
  const today = shanghaiDate(now)
  const [question] = await loadQuestions(app.db, [input.questionId])
  if (!question) throw notFound('题目')

  // Scoring modes only take questions of the person's own set: no farming the easy ones.
  if (input.mode === 'daily' || input.mode === 'weekly' || input.mode === 'special') {
    const set = await questionSet(app, principal, input.mode, { category: input.category, size: input.size })
    if (!set.questions.some((q) => q.id === question.id)) throw conflict('该题不在今天的题目中')
  }
  if (input.mode === 'challenge') await checkChallengeQuestion(app.db, principal.userId, input.runId, question.id)

  const problem = answerShapeProblem(question, input.answer)
  if (problem) throw validationError(`answer：${problem}`, [{ field: 'answer', message: problem }])
  const { correct } = grade(question, input.answer, 'all_or_nothing')

  await app.db.insertInto('practice_answers').values({
    user_id: principal.userId, question_id: question.id, mode: input.mode, run_id: input.runId ?? null, correct,
    elapsed_ms: input.elapsedMs ?? null, day: today, at: now,
  }).execute()
  await recordInWrongBook(app.db, principal.userId, question.id, correct, today, now)

  let points = 0
  const rule = POINT_RULE[input.mode]
  if (rule && correct) {
    const period = input.mode === 'weekly' ? weekStart(today) : today
    const idemKey = input.mode === 'challenge' ? `challenge:${input.runId}:${question.id}` : `${input.mode}:${period}:${question.id}`
    const result = await award(app.db, { userId: principal.userId, orgId: principal.orgId, rule, idemKey, at: now, detail: { questionId: question.id } })
    points = result.duplicate ? 0 : result.points
    if (points) app.events.emit('points:changed', principal.userId)
  }
  const next = input.mode === 'challenge' ? await advanceChallenge(app, principal, input.runId!, correct, question.id) : undefined
  return { correct, correctAnswer: question.answer, explanation: question.explanation, points, ...(next && { challenge: next }) }
}

// ── 挑战答题: one question after another until the first mistake ──

export async function startChallenge(app: FastifyInstance, principal: Principal) {
  const now = app.clock.now()
  const id = randomUUID()
  const first = await nextChallengeQuestion(app.db, [], shanghaiDate(now))
  await app.db.insertInto('challenge_runs').values({ id, user_id: principal.userId, day: shanghaiDate(now), current_question_id: first?.id ?? null, asked: JSON.stringify(first ? [first.id] : []), started_at: now }).execute()
  return { runId: id, question: first ? publicQuestion(first) : null, correct: 0, ended: !first }
}

async function nextChallengeQuestion(db: Db, asked: number[], today: string) {
  const { rows } = await sql<{ id: number }>`select id from questions where ${published(today)} and type in ('single', 'judge')
    ${asked.length ? sql`and id not in (${sql.join(asked)})` : sql``} order by random() limit 1`.execute(db)
  return rows.length ? (await loadQuestions(db, [rows[0].id]))[0] : null
}

async function checkChallengeQuestion(db: Db, userId: number, runId: string | undefined, questionId: number) {
  if (!runId) throw validationError('挑战答题需要 runId', [{ field: 'runId', message: '缺少 runId' }])
  const run = await db.selectFrom('challenge_runs').selectAll().where('id', '=', runId).executeTakeFirst()
  if (!run || run.user_id !== userId) throw notFound('挑战')
  if (run.ended) throw conflict('本轮挑战已结束')
  if (run.current_question_id !== questionId) throw conflict('请回答当前题目')
}

async function advanceChallenge(app: FastifyInstance, principal: Principal, runId: string, correct: boolean, questionId: number) {
  const run = (await app.db.selectFrom('challenge_runs').selectAll().where('id', '=', runId).executeTakeFirst())!
  const asked = run.asked as number[]
  const score = run.correct + (correct ? 1 : 0)
  const next = correct ? await nextChallengeQuestion(app.db, [...asked, questionId], shanghaiDate(app.clock.now())) : null
  await app.db.updateTable('challenge_runs').set({
    correct: score, ended: !next, current_question_id: next?.id ?? null, asked: JSON.stringify(next ? [...asked, next.id] : asked),
  }).where('id', '=', runId).where('current_question_id', '=', questionId).execute()
  return { runId, correct: score, ended: !next, next: next ? publicQuestion(next) : null }
}
