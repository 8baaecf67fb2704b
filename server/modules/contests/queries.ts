// Contest queries. Scores are written at every reveal, and the position of each question before it
// is shown, so a contest's standing survives its host node (a host reopening the hall screen picks
// the game up where it was, and never gets a question asked again).
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Tx } from '../../lib/transaction.js'
import type { ContestVoidReason } from '../../realtime/events-map.js'

type Db = Kysely<Database> | Tx

const contestColumns = [
  'contests.id',
  'contests.title',
  'contests.org_id',
  'contests.pin',
  'contests.question_ids',
  'contests.seconds_per_question',
  'contests.skipped',
  'contests.last_asked',
  'contests.last_closed',
  'contests.last_voided',
  'contests.status',
  'contests.activity_id',
  'contests.created_by',
  'contests.created_at',
  'contests.started_at',
  'contests.ended_at',
] as const

/** The statuses of a contest that has not ended (finished or cancelled): it can be joined, hosted, cancelled. */
export const OPEN = ['lobby', 'running'] as const

export async function findContest(db: Db, id: number) {
  return db
    .selectFrom('contests')
    .innerJoin('orgs', 'orgs.id', 'contests.org_id')
    .select([...contestColumns, 'orgs.path as org_path', 'orgs.name as org_name'])
    .where('contests.id', '=', id)
    .executeTakeFirst()
}
export type ContestRow = NonNullable<Awaited<ReturnType<typeof findContest>>>

export async function findOpenByPin(db: Db, pin: string) {
  return db
    .selectFrom('contests')
    .innerJoin('orgs', 'orgs.id', 'contests.org_id')
    .select([...contestColumns, 'orgs.path as org_path', 'orgs.name as org_name'])
    .where('contests.pin', '=', pin)
    .where('contests.status', 'in', OPEN)
    .executeTakeFirst()
}

export async function questionTypes(db: Db, ids: number[]) {
  if (!ids.length) return []
  return db.selectFrom('questions').select(['id', 'type']).where('id', 'in', ids).execute()
}

export async function listContests(db: Db, scopePath: string, q: { orgId?: number; status?: string }) {
  let query = db
    .selectFrom('contests')
    .innerJoin('orgs', 'orgs.id', 'contests.org_id')
    .select([
      ...contestColumns,
      'orgs.name as org_name',
      sql<number>`(select count(*)::int from contest_players p where p.contest_id = contests.id)`.as('players'),
    ])
    .where('orgs.path', 'like', `${scopePath}%`)
  if (q.orgId) query = query.where('contests.org_id', '=', q.orgId)
  if (q.status) query = query.where('contests.status', '=', q.status as 'lobby')
  return query.orderBy('contests.created_at', 'desc').orderBy('contests.id', 'desc').limit(200).execute()
}

export async function playerCount(db: Db, contestId: number) {
  const row = await db
    .selectFrom('contest_players')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('contest_id', '=', contestId)
    .executeTakeFirst()
  return row?.n ?? 0
}

/** Standing by score (ties share a rank), with each person's unit. */
export async function contestResults(db: Db, contestId: number) {
  const { rows } = await sql<{ rank: number; user_id: number; name: string; score: number; correct: number; org_name: string }>`
    select (rank() over (order by p.score desc))::int as rank, p.user_id, u.name, p.score, p.correct, o.name as org_name
    from contest_players p join users u on u.id = p.user_id join orgs o on o.id = p.org_id
    where p.contest_id = ${contestId} order by p.score desc, p.user_id`.execute(db)
  return rows.map((r) => ({ rank: r.rank, userId: r.user_id, name: r.name, score: r.score, correct: r.correct, orgName: r.org_name }))
}

/** The contest's status now, locked for the rest of the transaction (finishing and cancelling race). */
export async function lockStatus(tx: Tx, id: number) {
  return tx.selectFrom('contests').select(['status', 'activity_id']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow()
}

export async function contestStatus(db: Db, id: number) {
  const row = await db.selectFrom('contests').select('status').where('id', '=', id).executeTakeFirst()
  return row?.status ?? null
}

/** Players with names and scores so far. */
export async function savedPlayers(db: Db, contestId: number) {
  return db
    .selectFrom('contest_players')
    .innerJoin('users', 'users.id', 'contest_players.user_id')
    .select(['contest_players.user_id', 'users.name', 'contest_players.org_id', 'contest_players.score', 'contest_players.correct'])
    .where('contest_id', '=', contestId)
    .execute()
}

/** The question at `idx` goes on screen (the first one starts the contest). Written before it is shown. */
export async function saveAsked(db: Db, contestId: number, idx: number, startedAt: Date | null) {
  await db.updateTable('contests').set({ last_asked: idx }).where('id', '=', contestId).execute()
  if (startedAt)
    await db
      .updateTable('contests')
      .set({ status: 'running', started_at: startedAt })
      .where('id', '=', contestId)
      .where('status', '=', 'lobby')
      .execute()
}

/**
 * The question at `idx` is closed: revealed (`voided` null), or voided and why — kept, so that every
 * later resume shows the hall and the phones why, not only the one that voided it.
 */
export async function saveClosed(db: Db, contestId: number, idx: number, voided: ContestVoidReason | null) {
  await db.updateTable('contests').set({ last_closed: idx, last_voided: voided }).where('id', '=', contestId).execute()
}

/** The positions skipped so far (the whole list: skips run one at a time, so the last write holds them all). */
export async function saveSkipped(db: Db, contestId: number, skipped: number[]) {
  await db
    .updateTable('contests')
    .set({ skipped: JSON.stringify(skipped) })
    .where('id', '=', contestId)
    .execute()
}

export async function addPlayer(db: Db, p: { contestId: number; userId: number; orgId: number; at: Date }) {
  await db
    .insertInto('contest_players')
    .values({ contest_id: p.contestId, user_id: p.userId, org_id: p.orgId, joined_at: p.at, rank: null })
    .onConflict((oc) => oc.columns(['contest_id', 'user_id']).doNothing())
    .execute()
}

export interface SavedAnswer {
  userId: number
  answer: unknown
  correct: boolean
  points: number
  elapsedMs: number
  tooFast: boolean
}

const CHUNK = 500

/** One question's answers, everyone's running totals, and the question's close, in one go. */
export async function saveReveal(
  tx: Tx,
  contestId: number,
  idx: number,
  questionId: number,
  answers: SavedAnswer[],
  totals: { userId: number; score: number; correct: number }[],
) {
  for (let i = 0; i < answers.length; i += CHUNK) {
    await tx
      .insertInto('contest_answers')
      .values(
        answers.slice(i, i + CHUNK).map((a) => ({
          contest_id: contestId,
          user_id: a.userId,
          idx,
          question_id: questionId,
          answer: JSON.stringify(a.answer ?? null),
          correct: a.correct,
          points: a.points,
          elapsed_ms: a.elapsedMs,
          too_fast: a.tooFast,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute()
  }
  await setPlayerFigures(
    tx,
    contestId,
    totals.map((t) => ({ ...t, rank: null })),
  )
  await saveClosed(tx, contestId, idx, null)
}

/** Scores (and ranks) of many players in one statement per chunk. */
export async function setPlayerFigures(
  tx: Tx,
  contestId: number,
  rows: { userId: number; score: number; correct: number; rank: number | null }[],
) {
  for (let i = 0; i < rows.length; i += CHUNK) {
    const values = sql.join(
      rows.slice(i, i + CHUNK).map((r) => sql`(${r.userId}::int, ${r.score}::int, ${r.correct}::int, ${r.rank}::int)`),
    )
    await sql`update contest_players p set score = v.score, correct = v.correct, rank = coalesce(v.rank, p.rank)
      from (values ${values}) as v(user_id, score, correct, rank)
      where p.contest_id = ${contestId} and p.user_id = v.user_id`.execute(tx)
  }
}
