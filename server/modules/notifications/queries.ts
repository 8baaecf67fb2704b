import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { Database, NotificationTable } from '../../db/types.js'
import { insertInSlices } from '../../lib/statement-size.js'
import type { NotificationBody, NotificationKind } from './schemas.js'

type Db = Kysely<Database> | Transaction<Database>
type Row = Selectable<NotificationTable>

export const toNotificationDto = (r: Row): NotificationBody => ({
  id: r.id,
  kind: r.kind as NotificationKind,
  title: r.title,
  body: r.body,
  link: r.link,
  createdAt: new Date(r.created_at).toISOString(),
  readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
})

export interface NewNotification {
  kind: NotificationKind
  title: string
  body: string
  link?: string | null
  cause: string
}

/**
 * Inserts one notification per person; a person who already has this cause gets nothing new. In
 * slices: a notice to a whole province (20,000 members, seven parameters each) in one statement was
 * refused (08P01) and its job retried forever.
 */
export function insertNotifications(db: Db, userIds: number[], n: NewNotification, at: Date): Promise<Row[]> {
  return insertInSlices(userIds, (slice) =>
    db
      .insertInto('notifications')
      .values(
        slice.map((user_id) => ({
          user_id,
          kind: n.kind,
          title: n.title,
          body: n.body,
          link: n.link ?? null,
          cause: n.cause,
          created_at: at,
        })),
      )
      .onConflict((oc) => oc.columns(['user_id', 'cause']).doNothing())
      .returningAll()
      .execute(),
  )
}

/** Claims a fan-out cause for this transaction; false when another node (or tick) already did it. */
export async function claimFanout(db: Db, cause: string, recipients: number, at: Date): Promise<boolean> {
  const claimed = await db
    .insertInto('notification_fanouts')
    .values({ cause, recipients, at })
    .onConflict((oc) => oc.column('cause').doNothing())
    .returning('cause')
    .executeTakeFirst()
  return Boolean(claimed)
}

export function listNotifications(db: Db, userId: number, opts: { unread?: boolean; limit: number }) {
  let q = db.selectFrom('notifications').selectAll().where('user_id', '=', userId)
  if (opts.unread) q = q.where('read_at', 'is', null)
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute()
}

export async function unreadCount(db: Db, userId: number): Promise<number> {
  const r = await db
    .selectFrom('notifications')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return r.n
}

/** Marks one of the person's own notifications read; false when it is not hers (or does not exist). */
export async function markRead(db: Db, userId: number, id: number, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('notifications')
    .set({ read_at: sql`coalesce(read_at, ${at})` })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

export async function markAllRead(db: Db, userId: number, at: Date): Promise<number> {
  const r = await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}
