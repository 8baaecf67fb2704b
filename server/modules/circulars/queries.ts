// Kysely queries of the 通报 (db or tx first). The figures read exams' people, the points ledger,
// tasks and contests read-only; nothing here writes anywhere but circulars and its kv template.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../db/types.js'

export type Db = Kysely<Database> | Transaction<Database>

const TEMPLATE_KEY = 'circulars.template'

export async function readTemplateRow(db: Db): Promise<Record<string, unknown> | null> {
  const row = await db.selectFrom('kv').select('value').where('key', '=', TEMPLATE_KEY).executeTakeFirst()
  if (!row) return null
  try {
    const value = JSON.parse(row.value)
    return value && typeof value === 'object' ? value : null
  } catch {
    return null
  }
}

export async function writeTemplateRow(db: Db, value: object, at: Date) {
  const json = JSON.stringify(value)
  await db
    .insertInto('kv')
    .values({ key: TEMPLATE_KEY, value: json, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: at }))
    .execute()
}

export interface OrgRow {
  id: number
  name: string
  path: string
  parent_id: number | null
}

/** Who receives a 通报: every active secretary (her org's subtree) and every active admin (everything). */
export function recipients(db: Db) {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.role', 'orgs.id as org_id', 'orgs.name as org_name', 'orgs.path as org_path', 'orgs.parent_id'])
    .where('users.active', '=', true)
    .where('users.role', 'in', ['secretary', 'admin'])
    .orderBy('users.id')
    .execute()
}

export function rootOrgs(db: Db): Promise<OrgRow[]> {
  return db
    .selectFrom('orgs')
    .select(['id', 'name', 'path', 'parent_id'])
    .where('parent_id', 'is', null)
    .orderBy('sort')
    .orderBy('id')
    .execute()
}

export function childOrgs(db: Db, parentId: number): Promise<OrgRow[]> {
  return db
    .selectFrom('orgs')
    .select(['id', 'name', 'path', 'parent_id'])
    .where('parent_id', '=', parentId)
    .orderBy('sort')
    .orderBy('id')
    .execute()
}

export function orgsUnder(db: Db, path: string): Promise<OrgRow[]> {
  return db.selectFrom('orgs').select(['id', 'name', 'path', 'parent_id']).where('path', 'like', `${path}%`).execute()
}

/** The people a 通报 counts: active members and secretaries of the subtree. */
export function peopleUnder(db: Db, path: string) {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.org_id', 'orgs.name as org_name', 'orgs.path'])
    .where('users.active', '=', true)
    .where('users.role', 'in', ['member', 'secretary'])
    .where('orgs.path', 'like', `${path}%`)
    .orderBy('orgs.path')
    .orderBy('users.id')
    .execute()
}

/** Exams (not withdrawn) whose window closed in the period: their figures are final. */
export function examsClosedIn(db: Db, from: Date, to: Date) {
  return db
    .selectFrom('exams')
    .select(['id', 'title', 'opens_at', 'closes_at', 'audience_org_ids', 'pass_score', 'max_score'])
    .where('archived_at', 'is', null)
    .where('closes_at', '>=', from)
    .where('closes_at', '<', to)
    .orderBy('closes_at')
    .orderBy('id')
    .execute()
}

/** Who took an exam: submitted or not, and the best score. */
export function examPeople(db: Db, examId: number) {
  return db.selectFrom('exam_people').select(['user_id', 'submitted', 'best']).where('exam_id', '=', examId).execute()
}

/** Study points each person of the subtree earned on the Shanghai days [start, end). */
export async function pointsByUser(db: Db, path: string, start: string, end: string): Promise<Map<number, number>> {
  const { rows } = await sql<{ user_id: number; points: number }>`
    select l.user_id, sum(l.points)::int as points
    from point_ledger l join users u on u.id = l.user_id join orgs o on o.id = u.org_id
    where l.day >= ${start} and l.day < ${end} and o.path like ${path + '%'}
    group by l.user_id`.execute(db)
  return new Map(rows.map((r) => [r.user_id, r.points]))
}

export function userNames(db: Db, ids: number[]) {
  if (!ids.length) return Promise.resolve([])
  return db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute()
}

export interface NewCircular {
  period: 'week' | 'month'
  period_start: string
  period_end: string
  recipient_id: number
  org_id: number | null
  scope_path: string
  scope_name: string
  title: string
  body: string
  figures: string
  includes_list: boolean
  created_by: number | null
  created_at: Date
}

/** The recipient's 通报 of this period, unless she already has one (then nothing). */
export function insertCircular(db: Db, row: NewCircular) {
  return db
    .insertInto('circulars')
    .values(row)
    .onConflict((oc) => oc.columns(['period', 'period_start', 'recipient_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
}

const ITEM_COLUMNS = ['id', 'period', 'period_start', 'period_end', 'scope_name', 'title', 'body', 'includes_list', 'created_at'] as const

export function listOwn(db: Db, userId: number, limit: number) {
  return db
    .selectFrom('circulars')
    .select(ITEM_COLUMNS)
    .where('recipient_id', '=', userId)
    .orderBy('period_start', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}

/** One 通报 of the recipient's own; another's is as if it did not exist. */
export function findOwn(db: Db, id: number, userId: number) {
  return db
    .selectFrom('circulars')
    .select([...ITEM_COLUMNS, 'figures'])
    .where('id', '=', id)
    .where('recipient_id', '=', userId)
    .executeTakeFirst()
}

/** Tasks sent to an org, past due by `now` (but due within the look-back) and not done. */
export function overdueTaskOrgs(db: Db, now: Date, since: Date) {
  return db
    .selectFrom('campaign_task_orgs as to')
    .innerJoin('campaign_tasks as t', 't.id', 'to.task_id')
    .innerJoin('orgs as o', 'o.id', 'to.org_id')
    .select(['t.id as task_id', 't.title', 't.due_at', 'o.id as org_id', 'o.name as org_name', 'o.path as org_path'])
    .where('to.done_at', 'is', null)
    .where('t.due_at', '<', now)
    .where('t.due_at', '>', since)
    .orderBy('t.due_at')
    .execute()
}

/** Live contests created since `since` that have not ended (finished or cancelled). */
export function contestsStarting(db: Db, since: Date) {
  return db
    .selectFrom('contests as c')
    .innerJoin('orgs as o', 'o.id', 'c.org_id')
    .select(['c.id', 'c.title', 'c.pin', 'c.created_by', 'o.path as org_path', 'o.name as org_name'])
    .where('c.status', 'in', ['lobby', 'running'])
    .where('c.created_at', '>', since)
    .orderBy('c.id')
    .execute()
}

/** Causes of this list already fanned out (the notification module's claims). */
export async function claimedCauses(db: Db, causes: string[]): Promise<Set<string>> {
  if (!causes.length) return new Set()
  const rows = await db.selectFrom('notification_fanouts').select('cause').where('cause', 'in', causes).execute()
  return new Set(rows.map((r) => r.cause))
}

/** Active members and secretaries of a subtree (a contest's audience). */
export async function activePeopleIds(db: Db, path: string): Promise<number[]> {
  return (await peopleUnder(db, path)).map((p) => p.id)
}
