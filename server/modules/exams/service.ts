// Designing exams and finding the ones a person may see.
import type { Deps } from '../../lib/deps.js'
import { withTransaction } from '../../lib/transaction.js'
import { conflict, notFound, unprocessable } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import { audit } from '../../lib/audit.js'
import { checkPaper, type PaperSpec } from './draw.js'
import { examMeetsScope, isInAudience, type ExamRow } from './catalog.js'
import * as q from './queries.js'

export interface ExamInput {
  title: string
  instructions?: string
  opensAt: string
  closesAt: string
  durationMinutes: number
  audienceOrgIds: number[]
  passScore: number
  maxAttempts: number
  shuffleQuestions: boolean
  shuffleOptions: boolean
  releaseResults: 'immediately' | 'after_close'
  multipleScoring?: 'all_or_nothing' | 'partial'
  oneDevice?: boolean
  paper: PaperSpec
}

export function toExamDto(e: ExamRow, forStaff = true) {
  const paper = e.paper as PaperSpec
  return {
    id: e.id,
    title: e.title,
    instructions: e.instructions,
    opensAt: new Date(e.opens_at).toISOString(),
    closesAt: new Date(e.closes_at).toISOString(),
    durationMinutes: e.duration_minutes,
    audienceOrgIds: e.audience_org_ids as number[],
    passScore: Number(e.pass_score),
    maxAttempts: e.max_attempts,
    shuffleQuestions: e.shuffle_questions,
    shuffleOptions: e.shuffle_options,
    releaseResults: e.release_results,
    multipleScoring: e.multiple_scoring,
    oneDevice: e.one_device,
    paper: forStaff ? paper : null,
    maxScore: Number(e.max_score),
    questionCount: 'questionIds' in paper ? paper.questionIds.length : paper.rules.reduce((s, r) => s + r.count, 0),
    createdAt: new Date(e.created_at).toISOString(),
    archivedAt: e.archived_at ? new Date(e.archived_at).toISOString() : null,
  }
}

async function validate(deps: Deps, input: ExamInput) {
  const opens = new Date(input.opensAt)
  const closes = new Date(input.closesAt)
  if (!(closes > opens)) throw unprocessable('结束时间必须晚于开始时间', [{ field: 'closesAt', message: '须晚于 opensAt' }])
  const paths = await q.orgPaths(deps.db, input.audienceOrgIds)
  const missing = input.audienceOrgIds.filter((id) => !paths.has(id))
  if (missing.length) throw unprocessable(`参考组织不存在：${missing.join('、')}`, [{ field: 'audienceOrgIds', message: '组织不存在' }])
  const check = await checkPaper(deps.db, input.paper, shanghaiDate(deps.clock.now()))
  if (input.passScore > check.maxScore) {
    throw unprocessable(`及格分 ${input.passScore} 高于试卷总分 ${check.maxScore}`, [{ field: 'passScore', message: '高于总分' }])
  }
  return check
}

export async function createExam(deps: Deps, principal: Principal, input: ExamInput) {
  const check = await validate(deps, input)
  const now = deps.clock.now()
  const row = await withTransaction(deps, async (tx) => {
    const exam = await tx
      .insertInto('exams')
      .values({
        title: input.title.trim(),
        instructions: input.instructions ?? null,
        opens_at: input.opensAt,
        closes_at: input.closesAt,
        duration_minutes: input.durationMinutes,
        audience_org_ids: JSON.stringify([...new Set(input.audienceOrgIds)]),
        pass_score: input.passScore,
        max_attempts: input.maxAttempts,
        shuffle_questions: input.shuffleQuestions,
        shuffle_options: input.shuffleOptions,
        release_results: input.releaseResults,
        multiple_scoring: input.multipleScoring ?? 'all_or_nothing',
        one_device: input.oneDevice ?? false,
        paper: JSON.stringify(input.paper),
        max_score: check.maxScore,
        created_by: principal.userId,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await audit(tx, principal.userId, 'exam.create', 'exam', exam.id, { title: exam.title })
    return exam
  })
  return toExamDto(row)
}

/** Members see scores and others' results only once released (after_close exams: after closing). */
export function leaderboardOpenToMembers(exam: { release_results: string; closes_at: Date | string }, now: Date) {
  return exam.release_results === 'immediately' || now >= new Date(exam.closes_at)
}

/** Once an exam has opened (or anyone started it), its paper and rules are frozen. */
const FROZEN_AFTER_OPEN: (keyof ExamInput)[] = [
  'paper',
  'durationMinutes',
  'shuffleQuestions',
  'shuffleOptions',
  'multipleScoring',
  'opensAt',
  'passScore',
  'maxAttempts',
  'audienceOrgIds',
]

export async function updateExam(deps: Deps, principal: Principal, id: number, patch: Partial<ExamInput>) {
  const exam = await q.findExam(deps.db, id)
  if (!exam) throw notFound('考试')
  const started = (await q.countExamAttemptsTotal(deps.db, id)) > 0 || new Date(exam.opens_at) <= deps.clock.now()
  const frozen = FROZEN_AFTER_OPEN.filter((k) => patch[k] !== undefined)
  if (started && frozen.length) {
    throw unprocessable(
      `考试已开始，不能再修改：${frozen.join('、')}`,
      frozen.map((f) => ({ field: f, message: '考试已开始，不可修改' })),
    )
  }
  const current = toExamDto(exam)
  const merged: ExamInput = {
    ...current,
    instructions: current.instructions ?? undefined,
    releaseResults: current.releaseResults as ExamInput['releaseResults'],
    multipleScoring: current.multipleScoring as ExamInput['multipleScoring'],
    paper: current.paper as PaperSpec,
    ...patch,
  }
  const check = await validate(deps, merged)
  const row = await withTransaction(deps, async (tx, emit) => {
    const updated = await tx
      .updateTable('exams')
      .set({
        title: merged.title.trim(),
        instructions: merged.instructions ?? null,
        opens_at: merged.opensAt,
        closes_at: merged.closesAt,
        duration_minutes: merged.durationMinutes,
        audience_org_ids: JSON.stringify(merged.audienceOrgIds),
        pass_score: merged.passScore,
        max_attempts: merged.maxAttempts,
        shuffle_questions: merged.shuffleQuestions,
        shuffle_options: merged.shuffleOptions,
        release_results: merged.releaseResults,
        multiple_scoring: merged.multipleScoring ?? 'all_or_nothing',
        one_device: merged.oneDevice ?? false,
        paper: JSON.stringify(merged.paper),
        max_score: check.maxScore,
        updated_at: deps.clock.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await audit(tx, principal.userId, 'exam.update', 'exam', id, { fields: Object.keys(patch) })
    emit('exam:edited', id)
    return updated
  })
  return toExamDto(row)
}

export type { ExamRow }

export type MyStatus = 'upcoming' | 'available' | 'in_progress' | 'submitted' | 'missed'

/**
 * Members get the exams meant for them with their own status; staff get all exams in scope. A
 * secretary is a Party member too and may sit the exams her branch is invited to, so hers carry
 * her own status beside the staff view (an admin cannot sit an exam: none).
 */
export async function listExamsFor(deps: Deps, principal: Principal) {
  const exams = await q.listExams(deps.db)
  const paths = await q.orgPaths(deps.db, [...new Set(exams.flatMap((e) => e.audience_org_ids as number[]))])
  const audienceOf = (e: ExamRow) => (e.audience_org_ids as number[]).map((id) => paths.get(id)!).filter(Boolean)
  // Archived exams are staff records now; nobody sits them any more.
  const invited = (e: ExamRow) => !e.archived_at && isInAudience(principal.orgPath, audienceOf(e))
  if (principal.role !== 'member') {
    const visible = exams.filter((e) => examMeetsScope(principal, audienceOf(e)))
    const started = visible.length
      ? new Set(
          (
            await deps.db
              .selectFrom('attempts')
              .select('exam_id')
              .distinct()
              .where(
                'exam_id',
                'in',
                visible.map((e) => e.id),
              )
              .execute()
          ).map((r) => r.exam_id),
        )
      : new Set<number>()
    const own = principal.role === 'secretary' ? await ownStanding(deps, principal, visible.filter(invited)) : new Map()
    return visible.map((e) => ({ ...toExamDto(e), started: started.has(e.id), ...own.get(e.id) }))
  }
  const mine = exams.filter(invited)
  const own = await ownStanding(deps, principal, mine)
  return mine.map((e) => ({ ...toExamDto(e, false), ...own.get(e.id)! })).sort((a, b) => statusOrder(a.myStatus) - statusOrder(b.myStatus))
}

/** The signed-in person's own standing in each of `exams` (all of which she is invited to). */
async function ownStanding(deps: Deps, principal: Principal, exams: ExamRow[]) {
  const standing = new Map<number, ReturnType<typeof standingIn>>()
  if (!exams.length) return standing
  const attempts = await deps.db
    .selectFrom('attempts')
    .select(['id', 'exam_id', 'status', 'score', 'deadline'])
    .where('user_id', '=', principal.userId)
    .where(
      'exam_id',
      'in',
      exams.map((e) => e.id),
    )
    .execute()
  const allowances = await deps.db.selectFrom('exam_allowances').selectAll().where('user_id', '=', principal.userId).execute()
  const now = deps.clock.now()
  for (const e of exams)
    standing.set(
      e.id,
      standingIn(
        e,
        attempts.filter((a) => a.exam_id === e.id),
        allowances.find((x) => x.exam_id === e.id)?.extra_attempts ?? 0,
        now,
      ),
    )
  return standing
}

function standingIn(
  e: ExamRow,
  own: { id: number; status: string; score: unknown; deadline: Date | string }[],
  extraAttempts: number,
  now: Date,
) {
  const open = own.find((a) => a.status === 'in_progress' && new Date(a.deadline) > now)
  const allowed = e.max_attempts + extraAttempts
  const scores = own.filter((a) => a.status === 'submitted').map((a) => Number(a.score))
  const myStatus: MyStatus = open
    ? 'in_progress'
    : now < new Date(e.opens_at)
      ? 'upcoming'
      : now >= new Date(e.closes_at)
        ? own.length
          ? 'submitted'
          : 'missed'
        : own.length >= allowed
          ? 'submitted'
          : 'available'
  return {
    myStatus,
    myAttempts: own.length,
    attemptsAllowed: allowed,
    myBestScore: scores.length && (e.release_results === 'immediately' || now >= new Date(e.closes_at)) ? Math.max(...scores) : null,
    myAttemptId: open?.id ?? [...own].sort((a, b) => b.id - a.id)[0]?.id ?? null,
    // The running attempt's own deadline, with the server's now, so the intro can show time left.
    myDeadline: open ? new Date(open.deadline).toISOString() : null,
    serverNow: now.toISOString(),
  }
}

const statusOrder = (s: MyStatus) => ({ in_progress: 0, available: 1, upcoming: 2, submitted: 3, missed: 4 })[s]

/**
 * Withdraws an exam nobody has started: it is deleted with its allowances and (empty) counters.
 * Once anyone has started it, it can only be archived. The exam row is locked first, so a start
 * racing the withdrawal either lands before it (→ 409) or finds no exam.
 */
export async function withdrawExam(deps: Deps, principal: Principal, id: number) {
  await withTransaction(deps, async (tx, emit) => {
    const exam = await tx.selectFrom('exams').select(['id', 'title']).where('id', '=', id).forUpdate().executeTakeFirst()
    if (!exam) throw notFound('考试')
    if ((await q.countExamAttemptsTotal(tx, id)) > 0) throw conflict('已有人开始作答，不能撤回；可以归档')
    await tx.deleteFrom('exam_allowances').where('exam_id', '=', id).execute()
    await tx.deleteFrom('exam_people').where('exam_id', '=', id).execute()
    await tx.deleteFrom('exam_org_counts').where('exam_id', '=', id).execute()
    await tx.deleteFrom('exams').where('id', '=', id).execute()
    await audit(tx, principal.userId, 'exam.withdraw', 'exam', id, { title: exam.title })
    emit('exam:edited', id)
  })
}

/** Archives (or restores) an exam: members stop seeing it; results and records stay. Not while someone is answering. */
export async function archiveExam(deps: Deps, principal: Principal, id: number, archived: boolean) {
  const row = await withTransaction(deps, async (tx, emit) => {
    const exam = await tx.selectFrom('exams').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
    if (!exam) throw notFound('考试')
    if (archived) {
      const open = await tx
        .selectFrom('attempts')
        .select('id')
        .where('exam_id', '=', id)
        .where('status', '=', 'in_progress')
        .where('deadline', '>', deps.clock.now())
        .limit(1)
        .executeTakeFirst()
      if (open) throw conflict('还有人正在作答，不能归档；请在考试结束后归档')
    }
    const updated = await tx
      .updateTable('exams')
      .set({ archived_at: archived ? (exam.archived_at ?? deps.clock.now()) : null, updated_at: deps.clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await audit(tx, principal.userId, archived ? 'exam.archive' : 'exam.unarchive', 'exam', id, { title: exam.title })
    emit('exam:edited', id)
    return updated
  })
  return toExamDto(row)
}
