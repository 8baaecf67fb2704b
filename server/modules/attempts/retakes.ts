// Exceptions a manager grants one person in an exam: extra minutes, an extra attempt, or reopening
// an attempt submitted by mistake. Each is audited; none is granted to oneself, nor, once a review
// has shown the person the key, any that would let her answer the paper again.
import type { Deps } from '../../lib/deps.js'
import { withTransaction } from '../../lib/transaction.js'
import { AppError, conflict, notFound } from '../../lib/errors.js'
import { assertNotSelf, type Principal } from '../../lib/scope.js'
import { audit } from '../../lib/audit.js'
import type { ExamCatalog } from '../exams/index.js'
import * as q from './queries.js'
import { countReopen } from './counters.js'

/** Refused once any review of this exam has shown the person its key: she would answer the paper from it. */
const keyAlreadyShown = (refused: string) =>
  new AppError(409, 'KEY_SHOWN', `该人员已查看过本场考试的答案和解析，不能再${refused}。如需补考，请另行安排一场考试`)

/** Extra minutes (applied to an open attempt at once) or an extra attempt for one person. */
export async function grantAllowance(
  deps: Deps,
  exams: ExamCatalog,
  principal: Principal,
  examId: number,
  a: { userId: number; extraMinutes?: number; extraAttempts?: number; reason: string },
) {
  const { exam } = await exams.inScope(principal, examId)
  const person = await deps.db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'orgs.path'])
    .where('users.id', '=', a.userId)
    .executeTakeFirst()
  if (!person || (principal.role !== 'admin' && !person.path.startsWith(principal.orgPath))) throw notFound('人员')
  assertNotSelf(principal, person.id)
  return withTransaction(deps, async (tx) => {
    if (a.extraAttempts && (await q.lockKeyShown(tx, examId, a.userId))) throw keyAlreadyShown('增加作答次数')
    const current = await q.findAllowance(tx, examId, a.userId)
    const next = {
      extra_minutes: (current?.extra_minutes ?? 0) + (a.extraMinutes ?? 0),
      extra_attempts: (current?.extra_attempts ?? 0) + (a.extraAttempts ?? 0),
    }
    await tx
      .insertInto('exam_allowances')
      .values({ exam_id: examId, user_id: a.userId, ...next })
      .onConflict((oc) => oc.columns(['exam_id', 'user_id']).doUpdateSet(next))
      .execute()
    if (a.extraMinutes) {
      // An open attempt gets the minutes now; the window's end still bounds it (deadline = min(start + duration + extension, closesAt)).
      const open = await tx
        .selectFrom('attempts')
        .selectAll()
        .where('exam_id', '=', examId)
        .where('user_id', '=', a.userId)
        .where('status', '=', 'in_progress')
        .forUpdate()
        .executeTakeFirst()
      if (open) {
        const extended = Math.min(
          new Date(open.started_at).getTime() + (exam.duration_minutes + next.extra_minutes) * 60_000,
          new Date(exam.closes_at).getTime(),
        )
        await tx
          .updateTable('attempts')
          .set({ deadline: new Date(Math.max(extended, new Date(open.deadline).getTime())) })
          .where('id', '=', open.id)
          .execute()
      }
    }
    await audit(
      tx,
      principal.userId,
      'exam.allowance',
      'exam',
      examId,
      { userId: a.userId, extraMinutes: a.extraMinutes ?? 0, extraAttempts: a.extraAttempts ?? 0 },
      a.reason,
    )
    return { examId, userId: a.userId, extraMinutes: next.extra_minutes, extraAttempts: next.extra_attempts }
  })
}

/** Reopens an attempt submitted by mistake, for `minutes` (bounded by the window), audited. */
export async function reopenAttempt(deps: Deps, exams: ExamCatalog, principal: Principal, attemptId: number, reason: string, minutes = 10) {
  const attempt = await q.findAttempt(deps.db, attemptId)
  if (!attempt) throw notFound('答卷')
  const { exam } = await exams.inScope(principal, attempt.exam_id)
  const org = await deps.db.selectFrom('orgs').select('path').where('id', '=', attempt.org_id).executeTakeFirstOrThrow()
  if (principal.role !== 'admin' && !org.path.startsWith(principal.orgPath)) throw notFound('答卷')
  assertNotSelf(principal, attempt.user_id)
  if (attempt.status !== 'submitted') throw conflict('答卷未提交，无需重新开放')
  const now = deps.clock.now()
  if (now >= new Date(exam.closes_at)) throw conflict('考试已结束，不能重新开放')
  const deadline = new Date(Math.min(now.getTime() + minutes * 60_000, new Date(exam.closes_at).getTime()))
  await withTransaction(deps, async (tx, emit) => {
    if (await q.lockKeyShown(tx, attempt.exam_id, attempt.user_id)) throw keyAlreadyShown('重新开放答卷')
    await tx
      .updateTable('attempts')
      .set({ status: 'in_progress', submitted_at: null, submitted_by: null, score: null, passed: null, deadline })
      .where('id', '=', attemptId)
      .where('status', '=', 'submitted')
      .execute()
    await countReopen(tx, attempt.exam_id, attempt.user_id, attemptId)
    await audit(
      tx,
      principal.userId,
      'attempt.reopen',
      'attempt',
      attemptId,
      { userId: attempt.user_id, minutes, deadline: deadline.toISOString() },
      reason,
    )
    emit('exam:changed', attempt.exam_id)
  })
  return { attemptId, status: 'in_progress', deadline: deadline.toISOString() }
}
