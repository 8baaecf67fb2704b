// Taking an exam: start or resume, autosave, submit, review. The server's clock decides.
import type { Deps } from '../../lib/deps.js'
import { withTransaction, type Tx } from '../../lib/transaction.js'
import { AppError, conflict, forbidden, notFound, validationError } from '../../lib/errors.js'
import { assertNotSelf, type Principal } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import { audit } from '../../lib/audit.js'
import {
  drawPaper,
  findExam,
  isInAudience,
  leaderboardOpenToMembers,
  type ExamCatalog,
  type ExamRow,
  type PaperSpec,
} from '../exams/index.js'
import { answerShapeProblem, publicQuestion, type Paper } from '../questions/index.js'
import { closeIfUnchanged, finalizeAttempt, gradeAttempt, readForSubmit, resultOf, type AttemptRow } from './finalize.js'
import type { SubmitResult } from './schemas.js'
import type { AttemptState } from './state.js'
import * as q from './queries.js'
import { countReopen } from './counters.js'

const iso = (d: Date | string) => new Date(d).toISOString()

function startPayload(deps: Deps, attempt: AttemptRow, answers: { question_id: number; answer: unknown }[]) {
  return {
    attemptId: attempt.id,
    examId: attempt.exam_id,
    deadline: iso(attempt.deadline),
    serverNow: deps.clock.now().toISOString(),
    questions: (attempt.paper as Paper).questions.map(publicQuestion),
    answers: Object.fromEntries(answers.map((a) => [a.question_id, a.answer])),
  }
}

export async function startAttempt(
  deps: Deps,
  exams: ExamCatalog,
  state: AttemptState,
  principal: Principal,
  examId: number,
  deviceId?: string,
) {
  const { exam, audience } = await exams.inScope(principal, examId)
  if (principal.role !== 'member' && principal.role !== 'secretary') throw forbidden('管理员账号不能参加考试')
  // Watching an exam (a secretary of a parent org may) is not sitting it: only the invited start.
  if (!isInAudience(principal.orgPath, audience)) throw forbidden('您不在本次考试的参考范围内')
  const now = deps.clock.now()

  // Nearly every start of exam morning is a person's first: try it as one statement, without
  // reading their state first. It inserts nothing when they have an attempt or an allowance, and
  // a first start racing another (double tap, two devices) loses on the unique attempt number;
  // both go the long way below, which resumes or refuses as before. So does a paper that cannot be
  // drawn now (questions withdrawn mid-exam): someone already in the exam must still get back in.
  if (!exam.archived_at && now >= new Date(exam.opens_at) && now < new Date(exam.closes_at) && exam.max_attempts >= 1) {
    const first = await newAttempt(deps, exams, exam, principal, now, { used: 0, extra_minutes: 0 }, deviceId, { firstOnly: true }).catch(
      (err) => (isUniqueViolation(err) || err instanceof AppError ? undefined : Promise.reject(err)),
    )
    if (first) return started(deps, state, exam, principal, first)
  }

  const person = await q.personExamState(deps.db, examId, principal.userId)
  if (person.open_id) {
    const open = (await q.findAttempt(deps.db, person.open_id))!
    if (new Date(open.deadline) > now) return resume(deps, state, exam, open, deviceId)
    await closeOverdue(deps, open.id, exam)
  }

  if (exam.archived_at) throw conflict('考试已归档')
  if (now < new Date(exam.opens_at)) throw conflict('考试尚未开始')
  if (now >= new Date(exam.closes_at)) throw conflict('考试已结束')
  if (person.used >= exam.max_attempts + person.extra_attempts) throw conflict('作答次数已用完')

  try {
    const attempt = (await newAttempt(deps, exams, exam, principal, now, person, deviceId))!
    return started(deps, state, exam, principal, attempt)
  } catch (err) {
    // Two starts raced (double tap, two devices): the database let one win; resume that one.
    if (!isUniqueViolation(err)) throw err
    const winner = await q.findOpenAttempt(deps.db, examId, principal.userId)
    if (!winner) throw conflict('作答次数已用完')
    return resume(deps, state, exam, winner, deviceId)
  }
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505'

/** Draws a paper and inserts the person's next attempt with it (undefined: `firstOnly` and not their first). */
async function newAttempt(
  deps: Deps,
  exams: ExamCatalog,
  exam: ExamRow,
  principal: Principal,
  now: Date,
  person: { used: number; extra_minutes: number },
  deviceId: string | undefined,
  { firstOnly = false } = {},
) {
  const today = shanghaiDate(now)
  const pool = await exams.drawPool(exam.id, exam.paper as PaperSpec, today)
  const paper = await drawPaper(deps.db, exam.paper as PaperSpec, {
    shuffleQuestions: exam.shuffle_questions,
    shuffleOptions: exam.shuffle_options,
    today,
    pool,
  })
  const minutes = exam.duration_minutes + person.extra_minutes
  const deadline = new Date(Math.min(now.getTime() + minutes * 60_000, new Date(exam.closes_at).getTime()))
  return q.insertAttemptCounted(
    deps.db,
    {
      examId: exam.id,
      userId: principal.userId,
      orgId: principal.orgId,
      attemptNo: person.used + 1,
      startedAt: now,
      deadline,
      maxScore: Number(exam.max_score),
      paper,
      deviceId: deviceId ?? null,
    },
    { firstOnly },
  )
}

function started(deps: Deps, state: AttemptState, exam: ExamRow, principal: Principal, attempt: AttemptRow) {
  deps.events.emit('exam:changed', exam.id)
  state.remember(attempt.id, { userId: principal.userId, examId: exam.id, oneDevice: exam.one_device, paper: attempt.paper as Paper })
  return startPayload(deps, attempt, [])
}

async function resume(deps: Deps, state: AttemptState, exam: ExamRow, attempt: AttemptRow, deviceId?: string) {
  state.remember(attempt.id, {
    userId: attempt.user_id,
    examId: attempt.exam_id,
    oneDevice: exam.one_device,
    paper: attempt.paper as Paper,
  })
  if (deviceId && attempt.device_id && deviceId !== attempt.device_id) {
    // Another device takes over; with one-device exams the old one can no longer save.
    await deps.db
      .updateTable('attempts')
      .set((eb) => ({ device_id: deviceId, device_switches: eb('device_switches', '+', 1) }))
      .where('id', '=', attempt.id)
      .execute()
  } else if (deviceId && !attempt.device_id) {
    await deps.db.updateTable('attempts').set({ device_id: deviceId }).where('id', '=', attempt.id).execute()
  }
  return startPayload(deps, attempt, await q.answersOf(deps.db, attempt.id))
}

async function closeOverdue(deps: Deps, attemptId: number, exam: ExamRow) {
  await withTransaction(deps, async (tx, emit) => {
    const locked = await tx.selectFrom('attempts').selectAll().where('id', '=', attemptId).forUpdate().executeTakeFirstOrThrow()
    if (locked.status === 'in_progress') await finalizeAttempt(tx, locked, exam, new Date(locked.deadline), 'deadline')
    emit('exam:changed', exam.id)
  })
}

/** The device a save says it comes from (X-Device-Id, or the socket payload's deviceId): at most 100 characters kept. */
export const deviceIdOf = (value: unknown) => (typeof value === 'string' ? value.slice(0, 100) : undefined)

export async function saveAnswer(
  deps: Deps,
  state: AttemptState,
  principal: Principal,
  attemptId: number,
  questionId: number,
  answer: unknown,
  deviceId?: string,
) {
  const shape = await state.shape(attemptId)
  if (!shape || shape.userId !== principal.userId) throw notFound('答卷')
  const question = shape.questions.get(questionId)
  if (!question) throw notFound('该题目不在本答卷中，题目')
  const problem = answerShapeProblem(question, answer)
  if (problem) throw validationError(`answer：${problem}`, [{ field: 'answer', message: problem }])
  const now = deps.clock.now()
  // One-device exams check the device per save; everything else goes through group commit.
  const saved = shape.oneDevice
    ? await q.saveAnswer(deps.db, { attemptId, userId: principal.userId, questionId, answer, now, deviceId: deviceId ?? null })
    : await state.batcher.save({ attemptId, userId: principal.userId, questionId, answer })
  if (!saved) {
    const attempt = await q.findAttempt(deps.db, attemptId)
    if (attempt?.status === 'submitted') throw conflict('答卷已提交，不能再修改')
    if (attempt && new Date(attempt.deadline) <= now) throw conflict('考试时间已到，答案未保存')
    if (attempt && shape.oneDevice) throw new AppError(409, 'DEVICE_SWITCHED', '本场考试只允许在一台设备上作答，已在其他设备继续')
    throw conflict('答卷不可修改')
  }
  // No exam:changed here: live figures (started, submitted, scores, boards) do not move with a save,
  // and at 2,000 saves a second the mark kept every watched exam re-pushing four times a second.
  return { savedAt: now.toISOString() }
}

/**
 * Read the answers, grade, then close in one statement that holds the attempt's lock only while it
 * runs (closeIfUnchanged). A save landing in between moves `answers_version`: read and grade again.
 * After a few such races (someone saving as fast as they submit) take the lock for the whole work.
 */
export async function submitAttempt(deps: Deps, principal: Principal, attemptId: number): Promise<SubmitResult> {
  for (let tries = 0; tries < 3; tries++) {
    const attempt = await readForSubmit(deps.db, attemptId)
    if (!attempt || attempt.user_id !== principal.userId) throw notFound('答卷')
    if (attempt.status === 'submitted') return resultOf(attempt)
    const now = deps.clock.now()
    const overdue = now >= new Date(attempt.deadline)
    const saved = new Map(attempt.saved.map((s) => [s.q, s.a]))
    const done = await closeIfUnchanged(
      deps.db,
      attempt,
      gradeAttempt(attempt, saved, attempt),
      overdue ? new Date(attempt.deadline) : now,
      overdue ? 'deadline' : 'user',
    )
    if (done) {
      deps.events.emit('exam:changed', attempt.exam_id)
      return resultOf(done)
    }
  }
  return submitUnderLock(deps, principal, attemptId)
}

async function submitUnderLock(deps: Deps, principal: Principal, attemptId: number): Promise<SubmitResult> {
  return withTransaction(deps, async (tx, emit) => {
    const attempt = await tx.selectFrom('attempts').selectAll().where('id', '=', attemptId).forUpdate().executeTakeFirst()
    if (!attempt || attempt.user_id !== principal.userId) throw notFound('答卷')
    if (attempt.status === 'submitted') return resultOf(attempt)
    const exam = (await findExam(tx, attempt.exam_id))!
    const now = deps.clock.now()
    const overdue = now >= new Date(attempt.deadline)
    const done = await finalizeAttempt(tx, attempt, exam, overdue ? new Date(attempt.deadline) : now, overdue ? 'deadline' : 'user')
    emit('exam:changed', attempt.exam_id)
    return resultOf(done)
  })
}

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

/** Refused once any review of this exam has shown the person its key: she would answer the paper from it. */
const keyAlreadyShown = (refused: string) =>
  new AppError(409, 'KEY_SHOWN', `该人员已查看过本场考试的答案和解析，不能再${refused}。如需补考，请另行安排一场考试`)

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
    startedAt: iso(attempt.started_at),
    deadline: iso(attempt.deadline),
    maxScore: Number(attempt.max_score),
    reviewAvailable: released,
    ...(attempt.status === 'submitted' && { submittedAt: iso(attempt.submitted_at!) }),
    // "考试结束后统一公布" means no score either until the exam closes.
    ...(attempt.status === 'submitted' &&
      leaderboardOpenToMembers(exam, now) && { score: Number(attempt.score), passed: Boolean(attempt.passed) }),
    ...(attempt.status === 'submitted' && !released && { reviewOpensAt: iso(exam.closes_at) }),
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

/**
 * Page-hide and blur signals while answering: counted, shown to staff, never a penalty by itself.
 * A reload of the exam page is counted apart (`reload_count`): it is not 切屏.
 */
export async function recordIntegrityEvent(
  deps: Deps,
  principal: Principal,
  attemptId: number,
  type: 'blur' | 'hidden' | 'reload',
  count: number,
) {
  const res = await deps.db
    .updateTable('attempts')
    .set((eb) => (type === 'reload' ? { reload_count: eb('reload_count', '+', count) } : { blur_count: eb('blur_count', '+', count) }))
    .where('id', '=', attemptId)
    .where('user_id', '=', principal.userId)
    .where('status', '=', 'in_progress')
    .executeTakeFirst()
  if (!Number(res.numUpdatedRows)) throw notFound('进行中的答卷')
  return { ok: true }
}

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
