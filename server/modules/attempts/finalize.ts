// Grading and closing attempts: by the person, at the deadline by the sweeper, or never twice.
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { AttemptTable, Database } from '../../db/types.js'
import type { Deps } from '../../lib/deps.js'
import { withTransaction } from '../../lib/transaction.js'
import { findExam, type ExamRow } from '../exams/index.js'
import { grade, total, type Paper } from '../questions/index.js'
import type { SubmitResult } from './schemas.js'
import * as q from './queries.js'
import { addToOrgCounts, countSubmission } from './counters.js'

export type AttemptRow = Selectable<AttemptTable>

export function resultOf(a: Pick<AttemptRow, 'score' | 'max_score' | 'passed' | 'submitted_at'>): SubmitResult {
  return {
    score: Number(a.score),
    maxScore: Number(a.max_score),
    passed: Boolean(a.passed),
    submittedAt: new Date(a.submitted_at!).toISOString(),
  }
}

type ExamScoring = Pick<ExamRow, 'multiple_scoring' | 'pass_score'>

/** The paper graded against the saved answers: per question, and the total. Pure. */
export function gradeAttempt(attempt: AttemptRow, saved: Map<number, unknown>, exam: ExamScoring) {
  const grades = (attempt.paper as Paper).questions.map((question) => ({
    id: question.id,
    answered: saved.has(question.id),
    ...grade(question, saved.get(question.id), exam.multiple_scoring),
  }))
  const score = total(grades.map((g) => g.score))
  return { answered: grades.filter((g) => g.answered), score, passed: score >= Number(exam.pass_score) }
}

const gradeValues = (answered: ReturnType<typeof gradeAttempt>['answered']) =>
  sql.join(answered.map((g) => sql`(${g.id}::int, ${g.correct}::boolean, ${g.score}::numeric)`))

/** Grades the saved answers and closes the attempt. Call inside a transaction holding the row lock. */
export async function finalizeAttempt(
  tx: Transaction<Database>,
  attempt: AttemptRow,
  exam: ExamRow,
  submittedAt: Date,
  by: 'user' | 'deadline' | 'staff',
): Promise<AttemptRow> {
  const saved = new Map((await q.answersOf(tx, attempt.id)).map((a) => [a.question_id, a.answer]))
  const { answered, score } = gradeAttempt(attempt, saved, exam)
  if (answered.length) {
    await sql`update attempt_answers a set correct = v.correct, score = v.score
      from (values ${gradeValues(answered)}) as v(question_id, correct, score)
      where a.attempt_id = ${attempt.id} and a.question_id = v.question_id`.execute(tx)
  }
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

/** An attempt as submit reads it, without a lock: the row, its exam's scoring and the saved answers. */
export async function readForSubmit(db: Kysely<Database>, attemptId: number) {
  const { rows } = await sql<AttemptRow & ExamScoring & { saved: { q: number; a: unknown }[] }>`
    select a.*, e.multiple_scoring, e.pass_score,
      coalesce((select json_agg(json_build_object('q', s.question_id, 'a', s.answer)) from attempt_answers s where s.attempt_id = a.id), '[]') as saved
    from attempts a join exams e on e.id = a.exam_id
    where a.id = ${attemptId}`.execute(db)
  return rows[0]
}

/**
 * Closes an attempt in one statement, graded from answers read before it: it writes the grades,
 * the attempt, the person's best and the org's counters only if the attempt is still open and no
 * answer was saved since the read (`answers_version` unchanged — a save raises it under the same row
 * lock this update waits for, and the recheck after the wait sees the new value). Returns the closed
 * row, or undefined when the attempt moved on (then the caller reads it again). Same effect as
 * finalizeAttempt + countSubmission, without holding the lock across round trips.
 */
export async function closeIfUnchanged(
  db: Kysely<Database>,
  attempt: AttemptRow & ExamScoring,
  graded: ReturnType<typeof gradeAttempt>,
  submittedAt: Date,
  by: 'user' | 'deadline',
): Promise<Pick<AttemptRow, 'score' | 'max_score' | 'passed' | 'submitted_at'> | undefined> {
  const seconds = Math.round((submittedAt.getTime() - new Date(attempt.started_at).getTime()) / 1000)
  const score = sql`${graded.score}::numeric`
  // Only what the result needs comes back: `returning *` sent the whole paper (keys and all) back
  // to be parsed again, at 200 submissions a second.
  const { rows } = await sql<Pick<AttemptRow, 'id' | 'score' | 'max_score' | 'passed' | 'submitted_at'>>`
    with done as (
      update attempts set status = 'submitted', submitted_at = ${submittedAt}, submitted_by = ${by}, score = ${score}, passed = ${graded.passed}
      where id = ${attempt.id} and status = 'in_progress' and answers_version = ${attempt.answers_version}
      returning id, score, max_score, passed, submitted_at
    ),
    ${
      graded.answered.length
        ? sql`graded as (
      update attempt_answers s set correct = v.correct, score = v.score
      from (values ${gradeValues(graded.answered)}) as v(question_id, correct, score)
      where s.attempt_id = (select id from done) and s.question_id = v.question_id
    ),`
        : sql``
    }
    prev as (
      select p.org_id, p.submitted, p.best, p.best_seconds from exam_people p
      where p.exam_id = ${attempt.exam_id} and p.user_id = ${attempt.user_id} and exists (select 1 from done)
      for update
    ),
    verdict as (
      select coalesce(p.org_id, ${attempt.org_id}) as org_id, p.org_id is null as fresh,
        coalesce(p.submitted, false) as was_submitted, case when p.submitted then p.best else 0 end as old_best,
        (not coalesce(p.submitted, false) or ${score} > p.best
          or (${score} = p.best and ${seconds}::int < coalesce(p.best_seconds, 2147483647))) as better
      from done left join prev p on true
    ),
    person as (
      insert into exam_people (exam_id, user_id, org_id, submitted, best, best_seconds)
      select ${attempt.exam_id}, ${attempt.user_id}, org_id, true, ${score}, ${seconds}::int from verdict where better
      on conflict (exam_id, user_id) do update set submitted = true, best = excluded.best, best_seconds = excluded.best_seconds
    ),
    counts as (${addToOrgCounts(sql`
      select ${attempt.exam_id}, org_id, case when fresh then 1 else 0 end, case when was_submitted then 0 else 1 end, ${score} - old_best
      from verdict where better`)}
    )
    select * from done`.execute(db)
  return rows[0]
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
