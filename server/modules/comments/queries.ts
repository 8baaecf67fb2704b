import { sql, type Kysely, type Transaction } from 'kysely'
import type { CommentStatus, CommentTarget, Database } from '../../db/types.js'

type Db = Kysely<Database> | Transaction<Database>

/**
 * The title of a target a member may see, or undefined: a published material, or a briefing
 * published to the 专栏 (read here by status only, as the study and campaign modules show them).
 */
export async function visibleTargetTitle(db: Db, type: CommentTarget, id: number): Promise<string | undefined> {
  const row =
    type === 'material'
      ? await db.selectFrom('materials').select('title').where('id', '=', id).where('status', '=', 'published').executeTakeFirst()
      : await db.selectFrom('campaign_briefings').select('title').where('id', '=', id).where('status', '=', 'published').executeTakeFirst()
  return row?.title
}

export function insertComment(
  db: Db,
  c: { targetType: CommentTarget; targetId: number; userId: number; orgId: number; content: string; at: Date },
) {
  return db
    .insertInto('comments')
    .values({
      target_type: c.targetType,
      target_id: c.targetId,
      user_id: c.userId,
      org_id: c.orgId,
      content: c.content,
      created_at: c.at,
    })
    .returning(['id', 'status'])
    .executeTakeFirstOrThrow()
}

/** Holds the commenter's row until commit, so her parallel comments count one after another. */
export async function lockUser(db: Db, userId: number) {
  await db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirst()
}

export async function countSince(db: Db, userId: number, since: Date): Promise<{ n: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('comments')
    .select([sql<number>`count(*)::int`.as('n'), sql<Date | null>`min(created_at)`.as('oldest')])
    .where('user_id', '=', userId)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow()
  return { n: row.n, oldest: row.oldest ? new Date(row.oldest) : null }
}

function base(db: Db) {
  return db
    .selectFrom('comments as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .innerJoin('orgs as o', 'o.id', 'c.org_id')
    .leftJoin('users as m', 'm.id', 'c.moderated_by')
    .leftJoin('materials as mat', (j) => j.onRef('mat.id', '=', 'c.target_id').on('c.target_type', '=', 'material'))
    .leftJoin('campaign_briefings as b', (j) => j.onRef('b.id', '=', 'c.target_id').on('c.target_type', '=', 'column'))
    .select([
      'c.id',
      'c.target_type',
      'c.target_id',
      'c.user_id',
      'c.org_id',
      'c.content',
      'c.status',
      'c.reason',
      'c.moderated_at',
      'c.created_at',
      'u.name as user_name',
      'u.show_on_leaderboards as consented',
      'o.name as org_name',
      'o.path as org_path',
      'm.name as moderator_name',
      sql<string | null>`coalesce(mat.title, b.title)`.as('target_title'),
    ])
}
export type CommentRow = NonNullable<Awaited<ReturnType<typeof findComment>>>

export function findComment(db: Db, id: number) {
  return base(db).where('c.id', '=', id).executeTakeFirst()
}

/** The row, locked until commit: two moderators of one comment decide one after the other. */
export async function lockComment(db: Db, id: number) {
  return db.selectFrom('comments').select(['id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst()
}

/** Under one target: approved comments, and the viewer's own whatever their status. Newest first. */
export async function listForTarget(
  db: Db,
  f: { targetType: CommentTarget; targetId: number; viewerId: number; page: number; pageSize: number },
) {
  const q = base(db)
    .where('c.target_type', '=', f.targetType)
    .where('c.target_id', '=', f.targetId)
    .where((eb) => eb.or([eb('c.status', '=', 'approved'), eb('c.user_id', '=', f.viewerId)]))
  const [items, total] = await Promise.all([
    q
      .orderBy('c.created_at', 'desc')
      .orderBy('c.id', 'desc')
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

/** The moderation queue of a subtree: waiting ones oldest first, decided ones newest first. */
export async function listForModeration(db: Db, f: { scopePath: string; status?: CommentStatus; page: number; pageSize: number }) {
  let q = base(db).where('o.path', 'like', `${f.scopePath}%`)
  if (f.status) q = q.where('c.status', '=', f.status)
  const oldestFirst = f.status === 'pending'
  const [items, total] = await Promise.all([
    q
      .orderBy('c.created_at', oldestFirst ? 'asc' : 'desc')
      .orderBy('c.id', oldestFirst ? 'asc' : 'desc')
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

export async function decide(db: Db, id: number, d: { status: 'approved' | 'rejected'; reason: string | null; by: number; at: Date }) {
  await db
    .updateTable('comments')
    .set({ status: d.status, reason: d.reason, moderated_by: d.by, moderated_at: d.at })
    .where('id', '=', id)
    .execute()
}

export async function sensitiveWords(db: Db): Promise<string[]> {
  return (await db.selectFrom('comment_sensitive_words').select('word').orderBy('word').execute()).map((r) => r.word)
}

export async function replaceSensitiveWords(db: Db, words: string[], by: number, at: Date) {
  await db.deleteFrom('comment_sensitive_words').execute()
  if (words.length)
    await db
      .insertInto('comment_sensitive_words')
      .values(words.map((word) => ({ word, created_by: by, created_at: at })))
      .execute()
}
