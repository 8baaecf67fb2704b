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
