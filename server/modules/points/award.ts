// Awarding points: idempotent by key, capped per day (or week) under a row lock, so two parallel
// requests at the cap earn once, and a retried request never earns twice. The locking steps run
// in one statement (the award_points function, migration 2026-12-04-01): an award holds a pooled
// connection for one round trip. In the caller's transaction (lib/transaction.ts) the points commit
// with the change that earned them; on the database handle itself the award is its own transaction.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Tx } from '../../lib/transaction.js'
import { shanghaiDate, weekStart } from '../../lib/time.js'
import { allPeriodKeys } from './periods.js'
import { ruleInForce } from './rules.js'
import { pointRuleEnabled } from '../policy/index.js'

export interface AwardInput {
  userId: number
  orgId: number
  rule: string
  /** Unique per person: the same key never earns twice. */
  idemKey: string
  at: Date
  units?: number
  detail?: Record<string, unknown>
}

export interface AwardResult {
  rule: string
  points: number
  capped: boolean
  duplicate: boolean
  /** The deployment switched points, or this rule, off: nothing was written. */
  disabled?: true
}

export async function award(db: Tx | Kysely<Database>, input: AwardInput): Promise<AwardResult> {
  const day = shanghaiDate(input.at)
  const rule = await ruleInForce(db, input.rule, day)
  if (!rule) throw new Error(`unknown point rule ${input.rule}`)
  // Points are motivation a deployment may switch off, wholly or per rule (国办函〔2026〕12号: no
  // compulsory 打卡签到 or 在线时长): a switched-off rule earns nothing and leaves no ledger row.
  if (!(await pointRuleEnabled(db, rule.code))) return { rule: rule.code, points: 0, capped: false, duplicate: false, disabled: true }
  const period = rule.weekly_cap !== null ? `W:${weekStart(day)}` : `D:${day}`
  const cap = rule.weekly_cap ?? rule.daily_cap
  const wanted = rule.points * (input.units ?? 1)
  const { rows } = await sql<{ awarded: number; duplicate: boolean }>`
    select awarded, duplicate from award_points(
      ${input.userId}::integer, ${input.orgId}::integer, ${rule.code}::text, ${rule.version}::integer,
      ${wanted}::integer, ${cap}::integer, ${period}::text, ${day}::date, ${input.idemKey}::text,
      ${input.detail ? JSON.stringify(input.detail) : null}::jsonb, ${input.at}::timestamptz,
      ${allPeriodKeys(day)}::text[])`.execute(db)
  const { awarded, duplicate } = rows[0]
  if (duplicate) return { rule: rule.code, points: awarded, capped: false, duplicate: true }
  return { rule: rule.code, points: awarded, capped: awarded < wanted, duplicate: false }
}

async function addToTotals(tx: Tx, userId: number, day: string, points: number) {
  await tx
    .insertInto('point_totals')
    .values(allPeriodKeys(day).map((period) => ({ user_id: userId, period, points })))
    .onConflict((oc) =>
      oc.columns(['user_id', 'period']).doUpdateSet((eb) => ({ points: eb('point_totals.points', '+', eb.ref('excluded.points')) })),
    )
    .execute()
}

/** An audited correction by staff (may be negative); not capped, never a rule's counter. */
export async function adjust(
  tx: Tx,
  a: { userId: number; orgId: number; points: number; reason: string; actorId: number; at: Date; idemKey: string },
) {
  const day = shanghaiDate(a.at)
  const inserted = await tx
    .insertInto('point_ledger')
    .values({
      user_id: a.userId,
      org_id: a.orgId,
      rule_code: 'adjust',
      rule_version: null,
      points: a.points,
      day,
      idem_key: a.idemKey,
      actor_id: a.actorId,
      reason: a.reason,
      detail: null,
      created_at: a.at,
    })
    .onConflict((oc) => oc.columns(['user_id', 'idem_key']).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (inserted) await addToTotals(tx, a.userId, day, a.points)
  return { duplicate: !inserted }
}
