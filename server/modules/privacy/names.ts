// Names on leaderboards, pushes and the 大屏 follow the deployment's switch and each person's
// choice: with `opt-in` a person who has not consented shows as her surname and a star (张*),
// beside her unit; with `on` everyone shows by name; with `off` there is no board at all.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import { AppError } from '../../lib/errors.js'
import { readPolicy, type LeaderboardMode } from '../policy/index.js'

/** 张三 → 张*, 欧阳明 → 欧*: the first character only, whatever the length. */
export function maskName(name: string): string {
  const first = Array.from(name.trim())[0] ?? ''
  return `${first}*`
}

/** The name a board shows for a person under the given mode. */
export function boardName(name: string, consented: boolean, mode: LeaderboardMode): string {
  return mode === 'on' || consented ? name : maskName(name)
}

/** Throws 403 LEADERBOARDS_OFF when the deployment switched leaderboards off; else the mode. */
export async function leaderboardMode(db: Kysely<Database>): Promise<LeaderboardMode> {
  const mode = (await readPolicy(db)).leaderboards
  if (mode === 'off') throw new AppError(403, 'LEADERBOARDS_OFF', '本单位未开启排行榜')
  return mode
}

/**
 * A board namer for one push or answer: `name(id, name)` for the people on it. One query for
 * everyone's consent; the board's own query need not know about consent.
 */
async function namerFor(db: Kysely<Database>, mode: LeaderboardMode, userIds: number[]): Promise<(userId: number, name: string) => string> {
  if (mode === 'on' || !userIds.length) return (_id, name) => (mode === 'on' ? name : maskName(name))
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('id', 'in', [...new Set(userIds)])
    .where('show_on_leaderboards', '=', true)
    .execute()
  const consented = new Set(rows.map((r) => r.id))
  return (userId, name) => boardName(name, consented.has(userId), mode)
}

export async function boardNamer(db: Kysely<Database>, userIds: number[]): Promise<(userId: number, name: string) => string> {
  return namerFor(db, await leaderboardMode(db), userIds)
}

/** A board's rows with each name as the deployment and the person allow; 403 LEADERBOARDS_OFF when boards are off. */
export async function maskBoard<T extends { name: string }>(db: Kysely<Database>, rows: T[], idOf: (row: T) => number): Promise<T[]> {
  const name = await boardNamer(db, rows.map(idOf))
  return rows.map((r) => ({ ...r, name: name(idOf(r), r.name) }))
}

/** The same for pushes and the 大屏, which never fail: no rows at all while boards are off. */
export async function boardRowsOrNone<T extends { name: string }>(db: Kysely<Database>, rows: T[], idOf: (row: T) => number): Promise<T[]> {
  const mode = (await readPolicy(db)).leaderboards
  if (mode === 'off') return []
  const name = await namerFor(db, mode, rows.map(idOf))
  return rows.map((r) => ({ ...r, name: name(idOf(r), r.name) }))
}
