import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/types.js'

/** Appends to the audit log: who did what to which thing, and why when a reason is required. */
export async function audit(
  db: Kysely<Database> | Transaction<Database>,
  actorId: number | null,
  action: string,
  targetType: string,
  targetId: number | string | null,
  details?: Record<string, unknown>,
  reason?: string,
) {
  await db
    .insertInto('audit_log')
    .values({
      actor_id: actorId,
      action,
      target_type: targetType,
      target_id: targetId === null ? null : String(targetId),
      details: details ? JSON.stringify(details) : null,
      reason: reason ?? null,
    })
    .execute()
}
