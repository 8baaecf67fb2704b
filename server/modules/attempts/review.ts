// Reviewing a submitted attempt: when its keys and 解析 may be shown, and the record of the first
// time they were (after which the person gets no attempt back: see retakes.ts).
import type { Deps } from '../../lib/deps.js'
import { withTransaction, type Tx } from '../../lib/transaction.js'
import { notFound } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { isoTime } from '../../lib/time.js'
import { findExam, leaderboardOpenToMembers, type ExamRow } from '../exams/index.js'
import { publicQuestion, type Paper } from '../questions/index.js'
import type { AttemptRow } from './finalize.js'
import * as q from './queries.js'

/**
 * Keys and 解析 of a submitted attempt are shown once the exam has closed, or — when results are
 * released immediately — once this person has no attempt left: a retake must not follow a review.
 * The other half of that rule is in reopenAttempt and grantAllowance: once a review has shown her
 * the key (`review_shown_at`), she gets no attempt back.
 */
export async function reviewReleased(
  db: Deps['db'] | Tx,
  exam: ExamRow,
  attempt: Pick<AttemptRow, 'status' | 'user_id'>,
  now: Date,
): Promise<boolean> {
  if (attempt.status !== 'submitted') return false
  if (now >= new Date(exam.closes_at)) return true
  if (exam.release_results !== 'immediately') return false
  const state = await q.personExamState(db, exam.id, attempt.user_id)
  return !state.open_id && state.used >= exam.max_attempts + state.extra_attempts
}

/**
 * Records the first time this attempt's key is shown to its owner and says whether it may be shown.
 * The release is checked again under the attempt's lock, which a reopen and an extra attempt take
 * too (q.lockKeyShown): one of them granted meanwhile has already taken the review back, and one
 * coming after finds this mark and is refused.
 */
async function markReviewShown(deps: Deps, exam: ExamRow, attemptId: number, now: Date): Promise<boolean> {
  return withTransaction(deps, async (tx) => {
    const locked = await tx
      .selectFrom('attempts')
      .select(['status', 'user_id', 'review_shown_at'])
      .where('id', '=', attemptId)
      .forUpdate()
      .executeTakeFirstOrThrow()
    if (!(await reviewReleased(tx, exam, locked, now))) return false
    if (!locked.review_shown_at) await tx.updateTable('attempts').set({ review_shown_at: now }).where('id', '=', attemptId).execute()
    return true
  })
}

/** An attempt as its owner sees it; questions with keys only once review is released. */
export async function attemptView(deps: Deps, principal: Principal, attemptId: number) {
  const attempt = await q.findAttempt(deps.db, attemptId)
  if (!attempt || attempt.user_id !== principal.userId) throw notFound('答卷')
  const exam = (await findExam(deps.db, attempt.exam_id))!
  const now = deps.clock.now()
  const released =
    (await reviewReleased(deps.db, exam, attempt, now)) &&
    (!!attempt.review_shown_at || (await markReviewShown(deps, exam, attempt.id, now)))
  const base = {
    attemptId: attempt.id,
    examId: attempt.exam_id,
    examTitle: exam.title,
    status: attempt.status,
    startedAt: isoTime(attempt.started_at),
    deadline: isoTime(attempt.deadline),
    maxScore: Number(attempt.max_score),
    reviewAvailable: released,
    ...(attempt.status === 'submitted' && { submittedAt: isoTime(attempt.submitted_at!) }),
    // "考试结束后统一公布" means no score either until the exam closes.
    ...(attempt.status === 'submitted' &&
      leaderboardOpenToMembers(exam, now) && { score: Number(attempt.score), passed: Boolean(attempt.passed) }),
    ...(attempt.status === 'submitted' && !released && { reviewOpensAt: isoTime(exam.closes_at) }),
  }
  if (!released) return base
  const answers = new Map((await q.answersOf(deps.db, attempt.id)).map((a) => [a.question_id, a]))
  return {
    ...base,
    questions: (attempt.paper as Paper).questions.map((pq) => {
      const a = answers.get(pq.id)
      return {
        ...publicQuestion(pq),
        correctAnswer: pq.answer,
        explanation: pq.explanation,
        yourAnswer: a?.answer ?? null,
        correct: a?.correct ?? false,
        earned: a?.score === null || a?.score === undefined ? 0 : Number(a.score),
      }
    }),
  }
}
