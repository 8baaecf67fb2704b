// Point rules are data with versions: a change is a new version effective from a date, so points
// earned before it keep the rule they were earned under.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../db/types.js'

type Db = Kysely<Database> | Transaction<Database>

/** The version of each rule in force on `day`. */
export async function rulesOn(db: Db, day: string) {
  const { rows } = await sql<{
    code: string
    name: string
    points: number
    daily_cap: number | null
    weekly_cap: number | null
    unit_seconds: number | null
    sort: number
    version: number
    effective_from: string
  }>`
    select distinct on (code) code, name, points, daily_cap, weekly_cap, unit_seconds, sort, version, effective_from::text as effective_from
    from point_rules where effective_from <= ${day}::date
    order by code, effective_from desc, version desc`.execute(db)
  return rows.sort((a, b) => a.sort - b.sort)
}

export async function ruleOn(db: Db, code: string, day: string) {
  return (await rulesOn(db, day)).find((r) => r.code === code)
}

/**
 * The rule in force, read through a short cache per database handle (as the policy is): every
 * login awards 登录, and on exam day a read of the rules per award was a round trip per login on
 * a pool that starts queue for. A rule changed on this node is seen at once (`forgetRules`), on
 * another within CACHE_MS. Inside a transaction the rules are read, not cached: the transaction
 * may hold a change of its own.
 */
export async function ruleInForce(db: Db, code: string, day: string) {
  if (db.isTransaction) return ruleOn(db, code, day)
  const hit = cache.get(db)
  // Awards ask about today; another day (a test's clock, midnight) just reads again.
  if (hit && hit.day === day && Date.now() - hit.at < CACHE_MS) return (await hit.rules).find((r) => r.code === code)
  const rules = rulesOn(db, day)
  cache.set(db, { day, at: Date.now(), rules })
  rules.catch(() => cache.get(db)?.rules === rules && cache.delete(db))
  return (await rules).find((r) => r.code === code)
}

/** After a rule change: this node's next award reads the rules again. */
export function forgetRules(db: Db) {
  cache.delete(db)
}

const CACHE_MS = 2_000
const cache = new WeakMap<object, { day: string; at: number; rules: Promise<Rule[]> }>()

export type Rule = Awaited<ReturnType<typeof rulesOn>>[number]

export function toRuleDto(r: Rule) {
  return {
    rule: r.code,
    name: r.name,
    points: r.points,
    dailyCap: r.daily_cap,
    weeklyCap: r.weekly_cap,
    unitSeconds: r.unit_seconds,
    version: r.version,
    effectiveFrom: r.effective_from,
  }
}
