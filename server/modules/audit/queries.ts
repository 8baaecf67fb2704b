import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { AuditQuery } from './schemas.js'
import { detailsText, targetText } from './labels.js'

/** Reads only: no query in this module (or anywhere) updates or deletes audit_log rows. */
export async function searchAudit(db: Kysely<Database>, f: AuditQuery & { page: number; pageSize: number }) {
  let q = db.selectFrom('audit_log').leftJoin('users', 'users.id', 'audit_log.actor_id')
  if (f.from) q = q.where('audit_log.at', '>=', new Date(f.from))
  if (f.to) q = q.where('audit_log.at', '<', new Date(f.to))
  if (f.action)
    q = f.action.endsWith('.')
      ? q.where('audit_log.action', 'like', `${f.action.replace(/[\\%_]/g, (c) => '\\' + c)}%`)
      : q.where('audit_log.action', '=', f.action)
  if (f.actorId) q = q.where('audit_log.actor_id', '=', f.actorId)
  if (f.targetType) q = q.where('audit_log.target_type', '=', f.targetType)
  const [items, total] = await Promise.all([
    q
      .select([
        sql<number>`audit_log.id::float8`.as('id'),
        'audit_log.at',
        'audit_log.actor_id',
        'users.name as actor_name',
        'users.username as actor_username',
        'audit_log.action',
        'audit_log.target_type',
        'audit_log.target_id',
        'audit_log.reason',
        'audit_log.details',
      ])
      .orderBy('audit_log.id', 'desc')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ])
  return {
    items: items.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at).toISOString(),
      actorId: r.actor_id,
      actorName: r.actor_name,
      actorUsername: r.actor_username,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      reason: r.reason,
      details: (r.details ?? null) as Record<string, unknown> | null,
      targetText: targetText(r.target_type, r.target_id),
      detailsText: detailsText((r.details ?? null) as Record<string, unknown> | null),
    })),
    total: total.n,
  }
}
