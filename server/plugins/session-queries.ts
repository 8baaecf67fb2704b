// The session lookup the auth plugin trusts a token by: a session joined with its user and org.
// It lives with the plugin (infrastructure imports no feature module); the auth module writes
// sessions, this reads them.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/types.js'

type Db = Kysely<Database>

/** Everything the auth hook needs to trust a token: its session and its user, in one query. */
function sessionPrincipalQuery(db: Db) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([
      'sessions.id as session_id',
      'sessions.revoked_at',
      'sessions.expires_at',
      'users.id as user_id',
      'users.username',
      'users.name',
      'users.role',
      'users.org_id',
      'users.active',
      'users.must_change_password',
      'orgs.path as org_path',
      'users.password_changed_at',
      'users.created_at as user_created_at',
      sql<boolean>`users.totp_enabled_at is not null`.as('totp_enabled'),
    ])
}
export type SessionPrincipalRow = Awaited<ReturnType<typeof findSessionPrincipals>>[number]

/**
 * The sessions among `sessionIds` with their people (auth's session reads, and realtime re-checking
 * its sockets). The ids go as one array parameter: a node re-checks all of its ~20,000 sockets at once.
 */
export function findSessionPrincipals(db: Db, sessionIds: string[]) {
  return sessionIds.length
    ? sessionPrincipalQuery(db)
        .where(sql<boolean>`sessions.id = any(${sessionIds}::text[])`)
        .execute()
    : Promise.resolve([])
}

/** Records the sessions' activity for the idle limit (never moves it backwards). */
export async function touchSessions(db: Db, sessionIds: string[], now: Date) {
  if (!sessionIds.length) return
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now })
    .where(sql<boolean>`id = any(${sessionIds}::text[])`)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<', now)]))
    .execute()
}
