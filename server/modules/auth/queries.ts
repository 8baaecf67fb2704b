import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../db/types.js'

type Db = Kysely<Database> | Transaction<Database>

export function findUserForLogin(db: Db, username: string) {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([
      'users.id', 'users.username', 'users.name', 'users.role', 'users.org_id', 'users.password_hash',
      'users.active', 'users.must_change_password', 'users.failed_logins', 'users.locked_until', 'orgs.path as org_path',
    ])
    .where('users.username', '=', username)
    .executeTakeFirst()
}

/** Everything the auth hook needs to trust a token: its session and its user, in one query. */
export function findSessionPrincipal(db: Db, sessionId: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([
      'sessions.id as session_id', 'sessions.revoked_at', 'sessions.expires_at',
      'users.id as user_id', 'users.username', 'users.name', 'users.role', 'users.org_id', 'users.active',
      'users.must_change_password', 'orgs.path as org_path',
    ])
    .where('sessions.id', '=', sessionId)
    .executeTakeFirst()
}

export async function recordFailedLogin(db: Db, userId: number, now: Date) {
  // Five free failures, then a lock that doubles with every further failure, capped at an hour.
  await sql`
    update users set
      failed_logins = failed_logins + 1,
      locked_until = case when failed_logins + 1 >= 5
        then ${now}::timestamptz + least(interval '60 minutes', interval '1 minute' * power(2, failed_logins + 1 - 5))
        else locked_until end
    where id = ${userId}`.execute(db)
}

export async function clearFailedLogins(db: Db, userId: number) {
  await db.updateTable('users').set({ failed_logins: 0, locked_until: null }).where('id', '=', userId).execute()
}

export async function insertSession(
  db: Db,
  s: { id: string; userId: number; tokenHash: string; expiresAt: Date; userAgent?: string; ip?: string },
) {
  await db
    .insertInto('sessions')
    .values({ id: s.id, user_id: s.userId, token_hash: s.tokenHash, expires_at: s.expiresAt, user_agent: s.userAgent ?? null, ip: s.ip ?? null })
    .execute()
}

export function findSession(db: Db, id: string) {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Rotates only if the presented hash is still current, so two racing refreshes cannot both win. */
export async function rotateSessionToken(db: Db, id: string, presentedHash: string, newHash: string, now: Date, expiresAt: Date) {
  const result = await db
    .updateTable('sessions')
    .set({ token_hash: newHash, prev_token_hash: presentedHash, rotated_at: now, expires_at: expiresAt })
    .where('id', '=', id)
    .where('token_hash', '=', presentedHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function revokeSession(db: Db, id: string, now: Date) {
  await db.updateTable('sessions').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute()
}

export async function revokeUserSessions(db: Db, userId: number, now: Date, exceptSessionId?: string) {
  let q = db.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null)
  if (exceptSessionId) q = q.where('id', '!=', exceptSessionId)
  await q.execute()
}
