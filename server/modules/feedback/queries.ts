import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, FeedbackStatus } from '../../db/types.js'

type Db = Kysely<Database> | Transaction<Database>

export function insertFeedback(
  db: Db,
  f: { userId: number; orgId: number; category: string; content: string; anonymous: boolean; at: Date },
) {
  return db
    .insertInto('feedback')
    .values({ user_id: f.userId, org_id: f.orgId, category: f.category, content: f.content, anonymous: f.anonymous, created_at: f.at })
    .returning(['id', 'status'])
    .executeTakeFirstOrThrow()
}

function base(db: Db) {
  return db
    .selectFrom('feedback')
    .innerJoin('orgs', 'orgs.id', 'feedback.org_id')
    .leftJoin('users', 'users.id', 'feedback.user_id')
    .select([
      'feedback.id',
      'feedback.user_id',
      'feedback.org_id',
      'orgs.name as org_name',
      'orgs.path as org_path',
      'users.name as user_name',
      'feedback.category',
      'feedback.content',
      'feedback.anonymous',
      'feedback.status',
      'feedback.reply',
      'feedback.replied_at',
      'feedback.closed_at',
      'feedback.created_at',
    ])
}
export type FeedbackRow = Awaited<ReturnType<typeof findFeedback>> & object

export function findFeedback(db: Db, id: number) {
  return base(db).where('feedback.id', '=', id).executeTakeFirst()
}

/** Own items (userId), or everything submitted from inside a subtree (scopePath). */
export async function listFeedback(
  db: Db,
  f: { userId?: number; scopePath?: string; status?: FeedbackStatus; page: number; pageSize: number },
) {
  let q = base(db)
  if (f.userId !== undefined) q = q.where('feedback.user_id', '=', f.userId)
  if (f.scopePath !== undefined) q = q.where('orgs.path', 'like', `${f.scopePath}%`)
  if (f.status) q = q.where('feedback.status', '=', f.status)
  const [items, total] = await Promise.all([
    q
      .orderBy('feedback.id', 'desc')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    q
      .clearSelect()
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow(),
  ])
  return { items, total: total.n }
}

/**
 * Answers an item that is not closed, checked by the update itself, so a close committed meanwhile
 * is not undone by a reply. Returns whether the item was answered.
 */
export async function setReply(db: Db, id: number, text: string, by: number, at: Date) {
  const row = await db
    .updateTable('feedback')
    .set({ reply: text, replied_by: by, replied_at: at, status: 'answered' })
    .where('id', '=', id)
    .where('status', '<>', 'closed')
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/** Closes an item whose status is one of `from`, checked by the update itself. Returns whether it closed it. */
export async function setClosed(db: Db, id: number, from: FeedbackStatus[], at: Date) {
  const row = await db
    .updateTable('feedback')
    .set({ status: 'closed', closed_at: at })
    .where('id', '=', id)
    .where('status', 'in', from)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/** One month's figures for admins: counts by status and category, overdue items and the mean time to an answer. */
export async function monthSummary(db: Db, from: Date, to: Date, overdueBefore: Date) {
  const { rows } = await sql<{
    submitted: number
    answered: number
    closed: number
    open: number
    overdue: number
    avg_hours: number | null
  }>`
    select count(*)::int as submitted,
      count(*) filter (where status = 'answered')::int as answered,
      count(*) filter (where status = 'closed')::int as closed,
      count(*) filter (where status = 'submitted')::int as open,
      count(*) filter (where status = 'submitted' and created_at < ${overdueBefore})::int as overdue,
      (avg(extract(epoch from replied_at - created_at)) filter (where replied_at is not null) / 3600)::float8 as avg_hours
    from feedback where created_at >= ${from} and created_at < ${to}`.execute(db)
  const byCategory = await db
    .selectFrom('feedback')
    .select(['category', sql<number>`count(*)::int`.as('count')])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .groupBy('category')
    .orderBy('count', 'desc')
    .execute()
  return { ...rows[0], byCategory }
}

/** Items still waiting for an answer since before `before`, with the submitter's org path. */
export function unansweredSince(db: Db, before: Date) {
  return db
    .selectFrom('feedback')
    .innerJoin('orgs', 'orgs.id', 'feedback.org_id')
    .select(['feedback.id', 'feedback.category', 'feedback.created_at', 'orgs.path as org_path', 'orgs.name as org_name'])
    .where('feedback.status', '=', 'submitted')
    .where('feedback.created_at', '<', before)
    .execute()
}

/** Who should answer an item from `orgPath`: active secretaries of that org or an org above it. */
export async function answerersOf(db: Db, orgPath: string): Promise<number[]> {
  const ancestors = orgPath
    .split('/')
    .filter(Boolean)
    .map((_, i, ids) => `/${ids.slice(0, i + 1).join('/')}/`)
  const rows = await db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select('users.id')
    .where('users.active', '=', true)
    .where('users.role', '=', 'secretary')
    .where('orgs.path', 'in', ancestors)
    .execute()
  return rows.map((r) => r.id)
}

/** Active admins: they answer what no secretary above the submitter can. */
export async function adminIds(db: Db): Promise<number[]> {
  return (await db.selectFrom('users').select('id').where('role', '=', 'admin').where('active', '=', true).execute()).map((r) => r.id)
}
