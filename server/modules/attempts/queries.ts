// Attempts and their answers: the exam-day hot path, each call one round trip.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Selectable } from 'kysely'
import type { AttemptTable, Database } from '../../db/types.js'
import type { Paper } from '../questions/index.js'
import { addToOrgCounts } from './counters.js'

type Db = Kysely<Database> | Transaction<Database>

export function countAttempts(db: Db, examId: number, userId: number) {
  return db
    .selectFrom('attempts')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('exam_id', '=', examId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow()
    .then((r) => r.n)
}

export function findOpenAttempt(db: Db, examId: number, userId: number) {
  return db
    .selectFrom('attempts')
    .selectAll()
    .where('exam_id', '=', examId)
    .where('user_id', '=', userId)
    .where('status', '=', 'in_progress')
    .executeTakeFirst()
}

export function findAttempt(db: Db, id: number) {
  return db.selectFrom('attempts').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findAllowance(db: Db, examId: number, userId: number) {
  return db.selectFrom('exam_allowances').selectAll().where('exam_id', '=', examId).where('user_id', '=', userId).executeTakeFirst()
}

export function answersOf(db: Db, attemptId: number) {
  return db
    .selectFrom('attempt_answers')
    .select(['question_id', 'answer', 'saved_at', 'correct', 'score'])
    .where('attempt_id', '=', attemptId)
    .execute()
}

/**
 * Saves one answer if, and only if, the attempt is still open for this person at `now`.
 * Locking the attempt row makes a concurrent submit (FOR UPDATE) wait for the save to commit, or
 * the save re-check the row after the submit and refuse: an acknowledged answer is always graded.
 * The lock is taken strong enough up front (not FOR SHARE, then upgraded to update answered_count),
 * so two saves of one attempt queue instead of deadlocking. Returns false when nothing was saved.
 */
export async function saveAnswer(
  db: Db,
  a: { attemptId: number; userId: number; questionId: number; answer: unknown; now: Date; deviceId?: string | null },
) {
  const { rows } = await sql<{ inserted: boolean }>`
    with open_attempt as (
      select id from attempts
      where id = ${a.attemptId} and user_id = ${a.userId} and status = 'in_progress' and deadline > ${a.now}
        ${a.deviceId !== undefined ? sql`and (device_id is null or device_id = ${a.deviceId})` : sql``}
      for no key update
    ), saved as (
      insert into attempt_answers (attempt_id, question_id, answer, saved_at)
      select id, ${a.questionId}, ${JSON.stringify(a.answer)}::jsonb, ${a.now} from open_attempt
      on conflict (attempt_id, question_id) do update set answer = excluded.answer, saved_at = excluded.saved_at
      returning (xmax = 0) as inserted
    ), counted as (
      update attempts set answered_count = answered_count + (select count(*)::int from saved where inserted),
        answers_version = answers_version + 1
      where id = ${a.attemptId} and exists (select 1 from saved)
    )
    select inserted from saved`.execute(db)
  return rows.length > 0
}

/**
 * Everything a start needs to know about one person and exam, in one round trip: how many attempts
 * they used, the id of an open one, and any personal allowance.
 */
export async function personExamState(db: Db, examId: number, userId: number) {
  const { rows } = await sql<{ used: number; open_id: number | null; extra_minutes: number; extra_attempts: number }>`
    select
      (select count(*)::int from attempts where exam_id = ${examId} and user_id = ${userId}) as used,
      (select id from attempts where exam_id = ${examId} and user_id = ${userId} and status = 'in_progress') as open_id,
      coalesce(al.extra_minutes, 0) as extra_minutes, coalesce(al.extra_attempts, 0) as extra_attempts
    from (select 1) as one
    left join exam_allowances al on al.exam_id = ${examId} and al.user_id = ${userId}`.execute(db)
  return rows[0]
}

/**
 * Whether any attempt of this person in this exam has shown her its key (`review_shown_at`),
 * locking those attempts till the transaction ends: a review being shown at the same moment
 * (markReviewShown locks its attempt too) either lands first and is seen here, or waits and then
 * finds the change (an extra attempt, a reopened attempt) that takes its review back.
 */
export async function lockKeyShown(tx: Transaction<Database>, examId: number, userId: number): Promise<boolean> {
  const rows = await tx
    .selectFrom('attempts')
    .select(['id', 'review_shown_at'])
    .where('exam_id', '=', examId)
    .where('user_id', '=', userId)
    .orderBy('id')
    .forUpdate()
    .execute()
  return rows.some((r) => r.review_shown_at !== null)
}

/** Every attempt column but the paper; the type check below fails when a column is added and not listed. */
const COLUMNS_BUT_PAPER = [
  'id',
  'exam_id',
  'user_id',
  'org_id',
  'attempt_no',
  'status',
  'started_at',
  'deadline',
  'submitted_at',
  'submitted_by',
  'score',
  'max_score',
  'passed',
  'answered_count',
  'answers_version',
  'blur_count',
  'device_switches',
  'reload_count',
  'device_id',
  'review_shown_at',
] as const satisfies readonly Exclude<keyof AttemptTable, 'paper'>[]
const listsEveryColumn: Exclude<keyof AttemptTable, 'paper' | (typeof COLUMNS_BUT_PAPER)[number]> extends never ? true : never = true
void listsEveryColumn

/**
 * Inserts a new attempt and counts the person as started (exam_people, exam_org_counts) in one
 * statement — atomic on its own, and one round trip on the exam-day hot path. With `firstOnly`
 * it inserts nothing (and returns undefined) when the person already has an attempt of this exam
 * or an allowance: the caller then reads the person's state and starts the long way. Two first
 * starts at once both pass that check, and the unique attempt number lets one of them in (23505).
 */
export async function insertAttemptCounted(
  db: Db,
  a: {
    examId: number
    userId: number
    orgId: number
    attemptNo: number
    startedAt: Date
    deadline: Date
    maxScore: number
    paper: Paper
    deviceId: string | null
  },
  { firstOnly = false } = {},
): Promise<Selectable<AttemptTable> | undefined> {
  const first = firstOnly
    ? sql`not exists (select 1 from attempts where exam_id = ${a.examId} and user_id = ${a.userId})
        and not exists (select 1 from exam_allowances where exam_id = ${a.examId} and user_id = ${a.userId})`
    : sql`true`
  // Everything but the paper comes back: the caller has it already, and at 200 starts a second
  // sending it back to be parsed again is wasted work for both sides.
  const { rows } = await sql<Omit<Selectable<AttemptTable>, 'paper'>>`
    with inserted as (
      insert into attempts (exam_id, user_id, org_id, attempt_no, status, started_at, deadline, max_score, paper, device_id)
      select ${a.examId}::int, ${a.userId}::int, ${a.orgId}::int, ${a.attemptNo}::int, 'in_progress', ${a.startedAt}::timestamptz,
        ${a.deadline}::timestamptz, ${a.maxScore}::numeric, ${JSON.stringify(a.paper)}::jsonb, ${a.deviceId}::text
      where ${first}
      returning *
    ), person as (
      insert into exam_people (exam_id, user_id, org_id) select exam_id, user_id, org_id from inserted
      on conflict (exam_id, user_id) do nothing
      returning org_id
    ), counted as (${addToOrgCounts(sql`select ${a.examId}, org_id, 1, 0, 0 from person`)})
    select ${sql.join(COLUMNS_BUT_PAPER.map((c) => sql.ref(c)))} from inserted`.execute(db)
  return rows[0] && { ...rows[0], paper: a.paper }
}
