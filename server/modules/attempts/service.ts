// Taking an exam: start or resume, autosave, submit, and the page's integrity signals. The server's clock decides.
import type { Deps } from '../../lib/deps.js'
import { withTransaction } from '../../lib/transaction.js'
import { AppError, conflict, forbidden, notFound, validationError } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { isoTime, shanghaiDate } from '../../lib/time.js'
import { drawPaper, findExam, isInAudience, type ExamCatalog, type ExamRow, type PaperSpec } from '../exams/index.js'
import { answerShapeProblem, publicQuestion, type Paper } from '../questions/index.js'
import { closeIfUnchanged, finalizeAttempt, gradeAttempt, readForSubmit, resultOf, type AttemptRow } from './finalize.js'
import type { SubmitResult } from './schemas.js'
import type { AttemptState } from './state.js'
import * as q from './queries.js'

function startPayload(deps: Deps, attempt: AttemptRow, answers: { question_id: number; answer: unknown }[]) {
  return {
    attemptId: attempt.id,
    examId: attempt.exam_id,
    deadline: isoTime(attempt.deadline),
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
