import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/types.js'

/** Appends to the audit log: who did what to which thing, and why when a reason is required. */
export async function audit(db: Kysely<Database> | Transaction<Database>, ...entry: Parameters<typeof auditRow>) {
  await db
    .insertInto('audit_log')
    .values(auditRow(...entry))
    .execute()
}

/** The audit log row `audit` appends, for a statement that writes it beside the change it records. */
export function auditRow(
  actorId: number | null,
  action: string,
  targetType: string,
  targetId: number | string | null,
  details?: Record<string, unknown>,
  reason?: string,
) {
  return {
    actor_id: actorId,
    action,
    target_type: targetType,
    target_id: targetId === null ? null : String(targetId),
    details: details ? JSON.stringify(details) : null,
    reason: reason ?? null,
  }
}
