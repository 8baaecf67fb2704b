import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, Role } from '../../db/types.js'

type Db = Kysely<Database> | Transaction<Database>

export function findExam(db: Db, id: number) {
  return db.selectFrom('exams').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listExams(db: Db) {
  return db.selectFrom('exams').selectAll().orderBy('opens_at', 'desc').orderBy('id', 'desc').execute()
}

export async function orgPaths(db: Db, orgIds: number[]): Promise<Map<number, string>> {
  if (!orgIds.length) return new Map()
  const rows = await db.selectFrom('orgs').select(['id', 'path']).where('id', 'in', orgIds).execute()
  return new Map(rows.map((r) => [r.id, r.path]))
}

/** Matches org paths under any of `prefixes` (an audience), and under `scope` too. */
function underAny(prefixes: string[], column: string) {
  return sql<boolean>`(${sql.join(
    prefixes.map((p) => sql`${sql.ref(column)} like ${p + '%'}`),
    sql` or `,
  )})`
}

export interface Person {
  user_id: number
  name: string
  username: string
  org_id: number
  org_name: string
  org_path: string
}

/** Active people the exam is for, inside the caller's scope. */
export function invitedPeople(db: Db, audience: string[], scope: string): Promise<Person[]> {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id as user_id', 'users.name', 'users.username', 'users.org_id', 'orgs.name as org_name', 'orgs.path as org_path'])
    .where('users.active', '=', true)
    .where('users.role', '!=', 'admin' as Role)
    .where(underAny(audience, 'orgs.path'))
    .where('orgs.path', 'like', `${scope}%`)
    .orderBy('orgs.path')
    .orderBy('users.id')
    .execute()
}

export async function countExamAttemptsTotal(db: Db, examId: number) {
  const r = await db
    .selectFrom('attempts')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('exam_id', '=', examId)
    .executeTakeFirstOrThrow()
  return r.n
}

/** Exams whose notices may still be due: not archived, and open or closed less than a week ago. */
export function examsForNotices(db: Db, now: Date) {
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000)
  return db.selectFrom('exams').selectAll().where('archived_at', 'is', null).where('closes_at', '>', weekAgo).execute()
}

/** Who has started an exam (at least one attempt), and who has submitted one, from its counters. */
export async function takersOf(db: Db, examId: number) {
  const rows = await db.selectFrom('exam_people').select(['user_id', 'submitted']).where('exam_id', '=', examId).execute()
  return { started: new Set(rows.map((r) => r.user_id)), submitted: new Set(rows.filter((r) => r.submitted).map((r) => r.user_id)) }
}
