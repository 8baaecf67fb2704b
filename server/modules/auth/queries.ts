import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../../db/types.js'
import type { auditRow } from '../../lib/audit.js'

type Db = Kysely<Database> | Transaction<Database>

export function findUserForLogin(db: Db, username: string) {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([
      'users.id',
      'users.username',
      'users.name',
      'users.role',
      'users.org_id',
      'users.password_hash',
      'users.active',
      'users.must_change_password',
      'orgs.path as org_path',
      'users.totp_secret',
      'users.totp_enabled_at',
    ])
    .where('users.username', '=', username)
    .executeTakeFirst()
}

/** Throttle numbers, shared by the login service and the queries that keep them. */
export const THROTTLE = {
  /** Failures one address may make on one account before it must wait. */
  pairFreeFailures: 5,
  /** The wait doubles from one minute with each further failure, up to this. */
  pairMaxBlockMinutes: 15,
  /** A pair's failures are forgotten this long after its last attempt. */
  pairMemoryHours: 24,
  /** Failures one address may make across all accounts within one window. */
  addressMaxFailures: 300,
  addressWindowMinutes: 10,
}

/** username_key of the row that counts one address's failures across every account. */
export const ANY_ACCOUNT = ''

/**
 * Counts one attempt for (account, address) before the password is checked, so requests sent in
 * parallel cannot all slip past the limit; a successful login deletes the row again. The attempt
 * that reaches the free number starts the wait (1, 2, 4 … minutes, capped). A pair that is still
 * waiting is not counted and gets null back.
 */
export async function chargeLoginAttempt(db: Db, key: string, ip: string, now: Date): Promise<{ failures: number } | null> {
  const forgetBefore = new Date(now.getTime() - THROTTLE.pairMemoryHours * 3_600_000)
  const next = sql`(case when f.updated_at < ${forgetBefore}::timestamptz then 1 else f.failures + 1 end)`
  const result = await sql<{ failures: number }>`
    insert into login_failures as f (username_key, ip, failures, first_failed_at, blocked_until, updated_at)
    values (${key}, ${ip}, 1, ${now}::timestamptz, ${blockUntil(sql`1`, now)}, ${now}::timestamptz)
    on conflict (username_key, ip) do update set
      failures = ${next},
      first_failed_at = case when f.updated_at < ${forgetBefore}::timestamptz then ${now}::timestamptz else f.first_failed_at end,
      blocked_until = ${blockUntil(next, now)},
      updated_at = ${now}::timestamptz
    where f.blocked_until is null or f.blocked_until <= ${now}::timestamptz
    returning failures`.execute(db)
  return result.rows[0] ?? null
}

/** When a pair with this many failures may try again; null while it is under the free number. */
function blockUntil(failures: ReturnType<typeof sql>, now: Date) {
  return sql`(case when ${failures} >= ${THROTTLE.pairFreeFailures}
    then ${now}::timestamptz + least(interval '1 minute' * ${THROTTLE.pairMaxBlockMinutes}, interval '1 minute' * power(2, ${failures} - ${THROTTLE.pairFreeFailures}))
    else null end)`
}

/** Counts one failure for an address across all accounts, in fixed windows; a full window blocks it to the window's end. */
export async function recordAddressFailure(db: Db, ip: string, now: Date) {
  const windowStart = new Date(now.getTime() - THROTTLE.addressWindowMinutes * 60_000)
  const fresh = sql`f.first_failed_at <= ${windowStart}::timestamptz`
  const next = sql`(case when ${fresh} then 1 else f.failures + 1 end)`
  const started = sql`(case when ${fresh} then ${now}::timestamptz else f.first_failed_at end)`
  await sql`
    insert into login_failures as f (username_key, ip, failures, first_failed_at, blocked_until, updated_at)
    values (${ANY_ACCOUNT}, ${ip}, 1, ${now}::timestamptz, null, ${now}::timestamptz)
    on conflict (username_key, ip) do update set
      failures = ${next},
      first_failed_at = ${started},
      blocked_until = case when ${next} >= ${THROTTLE.addressMaxFailures} then ${started} + interval '1 minute' * ${THROTTLE.addressWindowMinutes} else null end,
      updated_at = ${now}::timestamptz`.execute(db)
}

/** Until when (account, address) — or with ANY_ACCOUNT the whole address — must wait; null when it need not. */
export async function blockedUntil(db: Db, key: string, ip: string, now: Date): Promise<Date | null> {
  const row = await db
    .selectFrom('login_failures')
    .select('blocked_until')
    .where('username_key', '=', key)
    .where('ip', '=', ip)
    .where('blocked_until', '>', now)
    .executeTakeFirst()
  return row?.blocked_until ? new Date(row.blocked_until) : null
}

/** A successful login from this address forgets the pair's failures. */
export async function clearLoginFailures(db: Db, key: string, ip: string) {
  await db.deleteFrom('login_failures').where('username_key', '=', key).where('ip', '=', ip).execute()
}

/** Rows nobody has touched for a day (and no longer blocking) are dropped; uses the updated_at index. */
export async function pruneLoginFailures(db: Db, now: Date) {
  const before = new Date(now.getTime() - THROTTLE.pairMemoryHours * 3_600_000)
  await db.deleteFrom('login_failures').where('updated_at', '<', before).execute()
}

/**
 * A new session and its audit row, in one statement: both are written or neither, and a login
 * holds a pooled connection for one round trip instead of four (begin, two inserts, commit). A
 * data-modifying WITH runs to completion whether or not the outer statement reads it.
 */
export async function insertSessionAudited(db: Db, s: NewSession, auditEntry: ReturnType<typeof auditRow>) {
  await db
    .with('session', (w) => w.insertInto('sessions').values(sessionRow(s)))
    .insertInto('audit_log')
    .values(auditEntry)
    .execute()
}

type NewSession = { id: string; userId: number; tokenHash: string; expiresAt: Date; createdAt: Date; userAgent?: string; ip?: string }

function sessionRow(s: NewSession) {
  return {
    id: s.id,
    user_id: s.userId,
    token_hash: s.tokenHash,
    expires_at: s.expiresAt,
    created_at: s.createdAt,
    last_seen_at: s.createdAt,
    user_agent: s.userAgent ?? null,
    ip: s.ip ?? null,
  }
}

/** An exam attempt still running keeps its person's session alive past the idle limit. */
export async function hasOpenAttempt(db: Db, userId: number, now: Date) {
  const row = await db
    .selectFrom('attempts')
    .select('id')
    .where('user_id', '=', userId)
    .where('status', '=', 'in_progress')
    .where('deadline', '>', now)
    .limit(1)
    .executeTakeFirst()
  return !!row
}

export function findTotp(db: Db, userId: number) {
  return db.selectFrom('users').select(['username', 'totp_secret', 'totp_enabled_at']).where('id', '=', userId).executeTakeFirstOrThrow()
}

export async function setTotp(db: Db, userId: number, secret: string | null, enabledAt: Date | null) {
  await db.updateTable('users').set({ totp_secret: secret, totp_enabled_at: enabledAt }).where('id', '=', userId).execute()
}

/**
 * Records `step` as the last TOTP step accepted for the person, only if it is later than the one
 * recorded: true when this call claimed it (one statement, so of two racing uses one wins).
 */
export async function claimTotpStep(db: Db, userId: number, step: number) {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
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
