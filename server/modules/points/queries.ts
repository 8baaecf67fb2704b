import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import { addDays, weekStart } from '../../lib/time.js'
import { periodKey, type Period } from './periods.js'
import { rulesOn, toRuleDto } from './rules.js'

type Db = Kysely<Database>

export async function myPoints(db: Db, userId: number, day: string) {
  const [rules, totals, counters, days] = await Promise.all([
    rulesOn(db, day),
    db
      .selectFrom('point_totals')
      .select(['period', 'points'])
      .where('user_id', '=', userId)
      .where('period', 'in', [periodKey('day', day), 'T'])
      .execute(),
    db
      .selectFrom('point_counters')
      .select(['rule_code', 'period', 'earned'])
      .where('user_id', '=', userId)
      .where('period', 'in', [`D:${day}`, `W:${weekStart(day)}`])
      .execute(),
    db
      .selectFrom('point_totals')
      .select('period')
      .where('user_id', '=', userId)
      .where('period', 'like', 'D:%')
      .where('points', '>', 0)
      .orderBy('period', 'desc')
      .limit(400)
      .execute(),
  ])
  const total = (p: string) => totals.find((t) => t.period === p)?.points ?? 0
  return {
    today: total(periodKey('day', day)),
    total: total('T'),
    streakDays: streak(new Set(days.map((d) => d.period.slice(2))), day),
    rules: rules.map((r) => {
      const period = r.weekly_cap !== null ? `W:${weekStart(day)}` : `D:${day}`
      return {
        rule: r.code,
        name: r.name,
        points: r.points,
        earnedToday: counters.find((c) => c.rule_code === r.code && c.period === period)?.earned ?? 0,
        dailyCap: r.daily_cap ?? r.weekly_cap,
        capPeriod: (r.weekly_cap !== null ? 'week' : 'day') as 'week' | 'day',
      }
    }),
  }
}

/** Consecutive days with points, ending today (or yesterday, when today has none yet). */
export function streak(daysWithPoints: Set<string>, today: string): number {
  let day = daysWithPoints.has(today) ? today : addDays(today, -1)
  let n = 0
  while (daysWithPoints.has(day)) {
    n++
    day = addDays(day, -1)
  }
  return n
}

export function ledgerOf(db: Db, userId: number, page: number, pageSize: number) {
  return Promise.all([
    db
      .selectFrom('point_ledger')
      .leftJoin('point_rules', (j) =>
        j.onRef('point_rules.code', '=', 'point_ledger.rule_code').onRef('point_rules.version', '=', 'point_ledger.rule_version'),
      )
      .select([
        'point_ledger.id',
        'point_ledger.rule_code',
        'point_rules.name as rule_name',
        'point_ledger.points',
        sql<string>`point_ledger.day::text`.as('day'),
        'point_ledger.created_at',
        'point_ledger.reason',
        'point_ledger.detail',
      ])
      .where('point_ledger.user_id', '=', userId)
      .orderBy('point_ledger.id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
    db
      .selectFrom('point_ledger')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow(),
  ])
}

export interface BoardRow {
  rank: number
  id: number
  name: string
  points: number
  orgName?: string
  members?: number
  perCapita?: number
  participationRate?: number
}

/** Competition ranking (1, 2, 2, 4): equal values share a rank. Rows must be sorted by `value`, descending. */
function ranked<T>(rows: T[], value: (row: T) => number): (T & { rank: number })[] {
  let rank = 0
  return rows.map((r, i) => {
    if (i === 0 || value(rows[i - 1]) !== value(r)) rank = i + 1
    return { ...r, rank }
  })
}

export async function userBoard(db: Db, period: Period, day: string, scopePath: string, limit = 50): Promise<BoardRow[]> {
  const rows = await db
    .selectFrom('point_totals')
    .innerJoin('users', 'users.id', 'point_totals.user_id')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.name', 'orgs.name as org_name', 'point_totals.points'])
    .where('point_totals.period', '=', periodKey(period, day))
    .where('point_totals.points', '>', 0)
    .where('orgs.path', 'like', `${scopePath}%`)
    .where('users.active', '=', true)
    .where('users.role', '!=', 'admin') // the system account does not compete
    .orderBy('point_totals.points', 'desc')
    .orderBy('users.id')
    .limit(limit)
    .execute()
  return ranked(
    rows.map((r) => ({ id: r.id, name: r.name, orgName: r.org_name, points: r.points })),
    (r) => r.points,
  )
}

/**
 * Units under `parentPath` compared fairly: total points, active members, points per member and
 * the share of members who earned anything in the period.
 */
export async function orgBoard(db: Db, period: Period, day: string, parentId: number): Promise<BoardRow[]> {
  const { rows } = await sql<{ id: number; name: string; members: number; points: number; participants: number }>`
    with units as (select id, name, path from orgs where parent_id = ${parentId} and active),
    people as (
      select units.id as unit_id, u.id as user_id from units
      join orgs o on o.path like units.path || '%'
      join users u on u.org_id = o.id and u.active and u.role <> 'admin'
    )
    select units.id, units.name,
      (select count(*)::int from people where people.unit_id = units.id) as members,
      coalesce((select sum(t.points)::int from people join point_totals t on t.user_id = people.user_id and t.period = ${periodKey(period, day)} where people.unit_id = units.id), 0) as points,
      (select count(*)::int from people join point_totals t on t.user_id = people.user_id and t.period = ${periodKey(period, day)} and t.points > 0 where people.unit_id = units.id) as participants
    from units`.execute(db)
  const list = rows.map((r) => ({
    id: r.id,
    name: r.name,
    points: r.points,
    members: r.members,
    perCapita: r.members ? Math.round((r.points / r.members) * 10) / 10 : 0,
    participationRate: r.members ? Math.round((r.participants / r.members) * 1000) / 10 : 0,
  }))
  // Per capita first: a small 派出机构 competes on equal terms with a large branch.
  list.sort((a, b) => b.perCapita - a.perCapita || b.points - a.points || a.id - b.id)
  return ranked(list, (r) => r.perCapita)
}

/** People in scope whose practice answers look automated: implausibly fast or uniform timing. */
export async function automationFlags(db: Db, scopePath: string, since: Date) {
  const { rows } = await sql<{ user_id: number; name: string; org_name: string; n: number; median: number; mean: number; sd: number }>`
    select p.user_id, u.name, o.name as org_name, count(*)::int as n,
      percentile_cont(0.5) within group (order by p.elapsed_ms)::float8 as median,
      avg(p.elapsed_ms)::float8 as mean, coalesce(stddev_pop(p.elapsed_ms), 0)::float8 as sd
    from practice_answers p join users u on u.id = p.user_id join orgs o on o.id = u.org_id
    where p.at >= ${since} and p.elapsed_ms is not null and o.path like ${scopePath + '%'}
    group by p.user_id, u.name, o.name
    having count(*) >= 10`.execute(db)
  return rows.flatMap((r) => {
    const reasons: string[] = []
    if (r.median < 1500) reasons.push(`答题过快：中位用时 ${(r.median / 1000).toFixed(1)} 秒`)
    if (r.mean > 0 && r.sd / r.mean < 0.1) reasons.push(`用时过于均匀：波动仅 ${Math.round((r.sd / r.mean) * 100)}%`)
    return reasons.length
      ? [{ userId: r.user_id, name: r.name, orgName: r.org_name, answers: r.n, medianMs: Math.round(r.median), reasons }]
      : []
  })
}

export { toRuleDto }
