// Kysely queries of the campaign ledger, `db` or `tx` first. The tally also reads exams' attempts
// and the points ledger, read-only: 知识测试 and 自学 are counted from their own data, never entered
// twice.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../db/types.js'
import { insertInSlices } from '../../lib/statement-size.js'
import type { ActivityType } from './schemas.js'

export type Db = Kysely<Database> | Transaction<Database>

export function findOrgRow(db: Db, id: number) {
  return db.selectFrom('orgs').select(['id', 'name', 'path', 'parent_id']).where('id', '=', id).executeTakeFirst()
}

/** The org a tally or list starts from when none is named: the caller's own, or the first root for admins. */
export function firstRootOrg(db: Db) {
  return db
    .selectFrom('orgs')
    .select(['id', 'name', 'path', 'parent_id'])
    .where('parent_id', 'is', null)
    .orderBy('sort')
    .orderBy('id')
    .executeTakeFirst()
}

export function childOrgs(db: Db, parentId: number) {
  return db.selectFrom('orgs').select(['id', 'name', 'path']).where('parent_id', '=', parentId).orderBy('sort').orderBy('id').execute()
}

const PARTICIPANTS = sql<number>`(select count(*)::int from activity_participants p where p.activity_id = activities.id)`
const CHECKED_IN = sql<number>`(select count(*)::int from activity_participants p where p.activity_id = activities.id and p.checked_in_at is not null)`

export function findActivity(db: Db, id: number) {
  return db
    .selectFrom('activities')
    .innerJoin('orgs', 'orgs.id', 'activities.org_id')
    .selectAll('activities')
    .select(['orgs.path as org_path', 'orgs.name as org_name', PARTICIPANTS.as('participants'), CHECKED_IN.as('checked_in')])
    .where('activities.id', '=', id)
    .executeTakeFirst()
}

/**
 * Users by id with their org path (scope checks on participants). The ids go as one array: a
 * contest of the whole province ends by recording every player (20,000 people) here.
 */
export async function usersWithPaths(db: Db, ids: number[]) {
  if (!ids.length) return []
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.org_id', 'orgs.path'])
    .where(sql<boolean>`users.id = any(${ids}::int[])`)
    .execute()
}

/** Adds people to an activity; a person already there stays as she was (repeats count once). */
export async function addParticipants(db: Db, activityId: number, users: { id: number; org_id: number }[], addedBy: number | null) {
  await insertInSlices(users, (slice) =>
    db
      .insertInto('activity_participants')
      .values(slice.map((u) => ({ activity_id: activityId, user_id: u.id, org_id: u.org_id, added_by: addedBy })))
      .onConflict((oc) => oc.columns(['activity_id', 'user_id']).doNothing())
      .execute(),
  )
}

/** Attendance = distinct participants + guests. */
export async function attendanceOf(db: Db, activityId: number) {
  const row = await db
    .selectFrom('activities')
    .select(['guests', PARTICIPANTS.as('participants')])
    .where('id', '=', activityId)
    .executeTakeFirstOrThrow()
  return row.guests + row.participants
}

export interface ActivityFilter {
  pathPrefix: string
  orgPath?: string
  type?: ActivityType
  from?: Date
  to?: Date
}

function filtered(db: Db, f: ActivityFilter) {
  let q = db.selectFrom('activities').innerJoin('orgs', 'orgs.id', 'activities.org_id').where('orgs.path', 'like', `${f.pathPrefix}%`)
  if (f.orgPath) q = q.where('orgs.path', 'like', `${f.orgPath}%`)
  if (f.type) q = q.where('activities.type', '=', f.type)
  if (f.from) q = q.where('activities.starts_at', '>=', f.from)
  if (f.to) q = q.where('activities.starts_at', '<', f.to)
  return q
}

export async function listActivities(db: Db, f: ActivityFilter, page: number, pageSize: number) {
  const total = (
    await filtered(db, f)
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
  ).n
  const items = await filtered(db, f)
    .selectAll('activities')
    .select(['orgs.name as org_name', PARTICIPANTS.as('participants'), CHECKED_IN.as('checked_in')])
    .orderBy('activities.starts_at', 'desc')
    .orderBy('activities.id', 'desc')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute()
  return { total, items }
}

export function listParticipants(db: Db, activityId: number) {
  return db
    .selectFrom('activity_participants as p')
    .innerJoin('users', 'users.id', 'p.user_id')
    .innerJoin('orgs', 'orgs.id', 'p.org_id')
    .select(['p.user_id', 'users.name', 'orgs.name as org_name', 'p.checked_in_at', 'p.late'])
    .where('p.activity_id', '=', activityId)
    .orderBy('p.checked_in_at')
    .orderBy('users.name')
    .execute()
}

export interface PeriodFilter {
  pathPrefix: string
  from?: Date
  to?: Date
}

/** Activities per org and type: sessions and attendance (participants + guests). */
export async function activityFiguresByOrg(db: Db, f: PeriodFilter) {
  const { rows } = await sql<{ path: string; type: ActivityType; sessions: number; attendance: number }>`
    select o.path, a.type, count(*)::int as sessions,
      (sum(a.guests) + coalesce(sum((select count(*) from activity_participants p where p.activity_id = a.id)), 0))::int as attendance
    from activities a join orgs o on o.id = a.org_id
    where o.path like ${f.pathPrefix + '%'}
      ${f.from ? sql`and a.starts_at >= ${f.from}` : sql``}
      ${f.to ? sql`and a.starts_at < ${f.to}` : sql``}
    group by o.path, a.type`.execute(db)
  return rows
}

/** Activities per Shanghai month (YYYY-MM) or week (its Monday, YYYY-MM-DD) in a subtree, for the charts. */
export async function activityFiguresByPeriod(db: Db, f: PeriodFilter, unit: 'month' | 'week') {
  const label =
    unit === 'month'
      ? sql`to_char(a.starts_at at time zone 'Asia/Shanghai', 'YYYY-MM')`
      : sql`to_char(date_trunc('week', a.starts_at at time zone 'Asia/Shanghai'), 'YYYY-MM-DD')`
  const { rows } = await sql<{ period: string; sessions: number; attendance: number }>`
    select ${label} as period, count(*)::int as sessions,
      (sum(a.guests) + coalesce(sum((select count(*) from activity_participants p where p.activity_id = a.id)), 0))::int as attendance
    from activities a join orgs o on o.id = a.org_id
    where o.path like ${f.pathPrefix + '%'}
      ${f.from ? sql`and a.starts_at >= ${f.from}` : sql``}
      ${f.to ? sql`and a.starts_at < ${f.to}` : sql``}
    group by 1 order by 1`.execute(db)
  return rows
}

/**
 * 知识测试 in a subtree: sessions = distinct exams someone of the subtree submitted in the period,
 * attendance = distinct (exam, person) submissions. An exam held across units is one 场次 for
 * the unit above them and one for each unit that took part.
 */
export async function testFigures(db: Db, f: PeriodFilter) {
  const { rows } = await sql<{ sessions: number; attendance: number }>`
    select count(distinct a.exam_id)::int as sessions, count(distinct (a.exam_id, a.user_id))::int as attendance
    from attempts a join orgs o on o.id = a.org_id
    where a.status = 'submitted' and o.path like ${f.pathPrefix + '%'}
      ${f.from ? sql`and a.submitted_at >= ${f.from}` : sql``}
      ${f.to ? sql`and a.submitted_at < ${f.to}` : sql``}`.execute(db)
  return rows[0]
}

/**
 * Rules of the points ledger that are not study: logging in, signing in to an activity (already
 * counted as that activity's attendance) and staff corrections.
 */
export const NOT_STUDY_RULES = ['login', 'activity_checkin', 'adjust']

/**
 * 自学 in a subtree: attendance = person-days with study points earned (人次); self-study is not
 * held, so it has no 场次.
 */
export async function selfStudyFigures(db: Db, f: PeriodFilter) {
  const { rows } = await sql<{ attendance: number }>`
    select count(distinct (l.user_id, l.day))::int as attendance
    from point_ledger l join orgs o on o.id = l.org_id
    where l.points > 0 and l.rule_code not in (${sql.join(NOT_STUDY_RULES)}) and o.path like ${f.pathPrefix + '%'}
      ${f.from ? sql`and l.created_at >= ${f.from}` : sql``}
      ${f.to ? sql`and l.created_at < ${f.to}` : sql``}`.execute(db)
  return { sessions: 0, attendance: rows[0].attendance }
}

/** Every activity of a subtree in a period, oldest first, for the 台账 export and the report. */
export function ledgerRows(db: Db, f: PeriodFilter) {
  let q = db
    .selectFrom('activities')
    .innerJoin('orgs', 'orgs.id', 'activities.org_id')
    .selectAll('activities')
    .select([
      'orgs.name as org_name',
      'orgs.path as org_path',
      PARTICIPANTS.as('participants'),
      CHECKED_IN.as('checked_in'),
      sql<number>`(select count(*)::int from activity_participants p where p.activity_id = activities.id and p.late)`.as('late'),
      sql<number>`(select count(*)::int from activity_files f where f.activity_id = activities.id and f.kind = 'photo')`.as('photos'),
      sql<number>`(select count(*)::int from activity_files f where f.activity_id = activities.id and f.kind = 'attachment')`.as(
        'attachments',
      ),
    ])
    .where('orgs.path', 'like', `${f.pathPrefix}%`)
  if (f.from) q = q.where('activities.starts_at', '>=', f.from)
  if (f.to) q = q.where('activities.starts_at', '<', f.to)
  return q.orderBy('activities.starts_at').orderBy('activities.id').execute()
}

/** 月工作提示 issued in a period (they go to every unit). */
export async function countBulletins(db: Db, f: { from?: Date; to?: Date }) {
  let q = db.selectFrom('campaign_bulletins').select(sql<number>`count(*)::int`.as('n'))
  if (f.from) q = q.where('issued_at', '>=', f.from)
  if (f.to) q = q.where('issued_at', '<', f.to)
  return (await q.executeTakeFirstOrThrow()).n
}

/** 简报 submitted by units of a subtree in a period, and how many of them the 专栏 published. */
export async function countBriefings(db: Db, f: PeriodFilter) {
  let q = db
    .selectFrom('campaign_briefings as b')
    .innerJoin('orgs as o', 'o.id', 'b.org_id')
    .select([sql<number>`count(*)::int`.as('submitted'), sql<number>`count(*) filter (where b.status = 'published')::int`.as('published')])
    .where('o.path', 'like', `${f.pathPrefix}%`)
  if (f.from) q = q.where('b.submitted_at', '>=', f.from)
  if (f.to) q = q.where('b.submitted_at', '<', f.to)
  return q.executeTakeFirstOrThrow()
}
