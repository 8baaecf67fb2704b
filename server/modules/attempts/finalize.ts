// Grading and closing attempts: by the person, at the deadline by the sweeper, or never twice.
import { sql, type Selectable, type Transaction } from 'kysely'
import type { AttemptTable, Database } from '../../db/types.js'
import type { Deps } from '../../lib/deps.js'
import { withTransaction } from '../../lib/transaction.js'
import { findExam, type ExamRow } from '../exams/index.js'
import { grade, total, type Paper } from '../questions/index.js'
import type { SubmitResult } from './schemas.js'
import * as q from './queries.js'
import { countSubmission } from './counters.js'

export type AttemptRow = Selectable<AttemptTable>

export function resultOf(a: AttemptRow): SubmitResult {
  return {
    score: Number(a.score),
    maxScore: Number(a.max_score),
    passed: Boolean(a.passed),
    submittedAt: new Date(a.submitted_at!).toISOString(),
  }
}

/** Grades the saved answers and closes the attempt. Call inside a transaction holding the row lock. */
export async function finalizeAttempt(
  tx: Transaction<Database>,
  attempt: AttemptRow,
  exam: ExamRow,
  submittedAt: Date,
  by: 'user' | 'deadline' | 'staff',
): Promise<AttemptRow> {
  const paper = attempt.paper as Paper
  const saved = new Map((await q.answersOf(tx, attempt.id)).map((a) => [a.question_id, a.answer]))
  const grades = paper.questions.map((question) => ({
    id: question.id,
    answered: saved.has(question.id),
    ...grade(question, saved.get(question.id), exam.multiple_scoring),
  }))
  const answered = grades.filter((g) => g.answered)
  if (answered.length) {
    const values = sql.join(answered.map((g) => sql`(${g.id}::int, ${g.correct}::boolean, ${g.score}::numeric)`))
    await sql`update attempt_answers a set correct = v.correct, score = v.score
      from (values ${values}) as v(question_id, correct, score)
      where a.attempt_id = ${attempt.id} and a.question_id = v.question_id`.execute(tx)
  }
  const score = total(grades.map((g) => g.score))
  const done = await tx
    .updateTable('attempts')
    .set({
      status: 'submitted',
      submitted_at: submittedAt,
      submitted_by: by,
      score,
      passed: score >= Number(exam.pass_score),
    })
    .where('id', '=', attempt.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  const seconds = Math.round((submittedAt.getTime() - new Date(attempt.started_at).getTime()) / 1000)
  await countSubmission(tx, attempt.exam_id, attempt.user_id, attempt.org_id, score, seconds)
  return done
}

/**
 * Submits every open attempt whose deadline has passed, with the answers saved so far — also those
 * that ran out while the server was down. `SKIP LOCKED` lets several nodes sweep at once without
 * submitting anything twice. Returns the exams touched.
 */
export async function sweepOverdue(deps: Deps, batch = 200): Promise<{ submitted: number; examIds: number[] }> {
  const examIds = new Set<number>()
  let submitted = 0
  const exams = new Map<number, ExamRow>()
  for (;;) {
    const now = deps.clock.now()
    const n = await withTransaction(deps, async (tx, emit) => {
      const due = await tx
        .selectFrom('attempts')
        .selectAll()
        .where('status', '=', 'in_progress')
        .where('deadline', '<=', now)
        .orderBy('deadline')
        .limit(batch)
        .forUpdate()
        .skipLocked()
        .execute()
      for (const attempt of due) {
        if (!exams.has(attempt.exam_id)) exams.set(attempt.exam_id, (await findExam(tx, attempt.exam_id))!)
        await finalizeAttempt(tx, attempt, exams.get(attempt.exam_id)!, new Date(attempt.deadline), 'deadline')
        if (!examIds.has(attempt.exam_id)) emit('exam:changed', attempt.exam_id)
        examIds.add(attempt.exam_id)
      }
      return due.length
    })
    submitted += n
    if (n < batch) break
  }
  return { submitted, examIds: [...examIds] }
}

/** Runs the sweeper now and then every `everyMs`; returns the function that stops it. */
export function startSweeper(deps: Deps, everyMs = 5_000): () => void {
  let running = false
  const tick = async () => {
    if (running) return
    running = true
    try {
      const { submitted } = await sweepOverdue(deps)
      if (submitted) deps.log.info({ submitted }, 'overdue attempts submitted')
    } catch (err) {
      deps.log.warn({ err }, 'sweeper failed; will retry')
    } finally {
      running = false
    }
  }
  const timer = setInterval(tick, everyMs)
  timer.unref()
  void tick()
  return () => clearInterval(timer)
}
