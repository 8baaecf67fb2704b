// Battle queries: drawing questions from the bank, and what a finished battle leaves behind.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Tx } from '../../lib/transaction.js'
import { notAmong, publishedOn } from '../questions/index.js'

type Db = Kysely<Database> | Tx

/** Published and not expired on `today` (an Asia/Shanghai date). */

/**
 * `count` random published questions that can be answered with a tap (single, multiple, judge),
 * none of them in `excluded` (questions on an open exam of any player).
 */
export async function drawQuestionIds(db: Db, today: string, excluded: Set<number>, count: number, category?: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`
    select id from questions
    where ${publishedOn(today)} and type in ('single', 'multiple', 'judge') ${notAmong(excluded)}
      ${category ? sql`and (category = ${category} or category like ${category + '/%'})` : sql``}
    order by random() limit ${count}`.execute(db)
  return rows.map((r) => r.id)
}

/** Which of `ids` the bank offers today (published, not expired). */
export async function publishedAmong(db: Db, ids: number[], today: string): Promise<Set<number>> {
  if (!ids.length) return new Set()
  const { rows } = await sql<{ id: number }>`select id from questions where id in (${sql.join(ids)}) and ${publishedOn(today)}`.execute(db)
  return new Set(rows.map((r) => r.id))
}

export async function insertBattle(
  db: Db,
  b: {
    mode: 'duel' | 'four'
    matchedIn: string
    questionIds: number[]
    day: string
    at: Date
    players: { userId: number; orgId: number }[]
  },
): Promise<number> {
  const { id } = await db
    .insertInto('battles')
    .values({
      mode: b.mode,
      matched_in: b.matchedIn,
      question_ids: JSON.stringify(b.questionIds),
      day: b.day,
      started_at: b.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await db
    .insertInto('battle_players')
    .values(b.players.map((p) => ({ battle_id: id, user_id: p.userId, org_id: p.orgId, rank: null })))
    .execute()
  return id
}

/** Battles of `mode` each person finished on `day` before `battleId`. */
export async function gamesBefore(
  db: Db,
  userIds: number[],
  mode: 'duel' | 'four',
  day: string,
  battleId: number,
): Promise<Map<number, number>> {
  const { rows } = await sql<{ user_id: number; n: number }>`
    select p.user_id, count(*)::int as n from battle_players p join battles b on b.id = p.battle_id
    where p.user_id in (${sql.join(userIds)}) and b.mode = ${mode} and b.day = ${day}::date and b.status = 'finished' and b.id <> ${battleId}
    group by p.user_id`.execute(db)
  return new Map(rows.map((r) => [r.user_id, r.n]))
}

/** Today's battles of one person, per mode, with the points they earned. */
export async function myBattlesOn(db: Db, userId: number, day: string) {
  const { rows } = await sql<{ mode: 'duel' | 'four'; games: number; wins: number; points: number }>`
    select b.mode, count(*)::int as games, count(*) filter (where p.rank = 1 and not p.forfeited)::int as wins, coalesce(sum(p.points), 0)::int as points
    from battle_players p join battles b on b.id = p.battle_id
    where p.user_id = ${userId} and b.day = ${day}::date and b.status = 'finished'
    group by b.mode`.execute(db)
  return rows
}

/** The battle rules in force on `day`, with what this person earned under them today. */
export async function battleRulesOn(db: Db, userId: number, day: string) {
  const { rows } = await sql<{ code: string; name: string; points: number; daily_cap: number | null; earned: number }>`
    select distinct on (r.code) r.code, r.name, r.points, r.daily_cap,
      coalesce((select earned from point_counters c where c.user_id = ${userId} and c.rule_code = r.code and c.period = ${'D:' + day}), 0)::int as earned
    from point_rules r where r.code in ('battle_duel', 'battle_four') and r.effective_from <= ${day}::date
    order by r.code, r.effective_from desc, r.version desc`.execute(db)
  return rows
}

/** People of one org (a player's branch) who could be invited, without the caller. */
export async function colleaguesOf(db: Db, orgId: number, exceptUserId: number) {
  return db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where('active', '=', true)
    .where('role', 'in', ['member', 'secretary'])
    .where('id', '<>', exceptUserId)
    .orderBy('name')
    .limit(200)
    .execute()
}

/** People in scope with battle answers flagged as faster than reading, since `since`. */
export async function battleFlags(db: Db, scopePath: string, since: Date) {
  const { rows } = await sql<{ user_id: number; name: string; org_name: string; answers: number; too_fast: number; battles: number }>`
    select a.user_id, u.name, o.name as org_name, count(*)::int as answers,
      count(*) filter (where a.too_fast)::int as too_fast, count(distinct a.battle_id)::int as battles
    from battle_answers a join battles b on b.id = a.battle_id join users u on u.id = a.user_id join orgs o on o.id = u.org_id
    where b.started_at >= ${since} and o.path like ${scopePath + '%'}
    group by a.user_id, u.name, o.name
    having count(*) filter (where a.too_fast) > 0
    order by count(*) filter (where a.too_fast) desc limit 200`.execute(db)
  return rows.map((r) => ({
    userId: r.user_id,
    name: r.name,
    orgName: r.org_name,
    answers: r.answers,
    tooFast: r.too_fast,
    battles: r.battles,
  }))
}
