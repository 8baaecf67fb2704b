// Login, rotating refresh tokens, logout and password change.
import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { FastifyInstance } from 'fastify'
import type { Database } from '../../db/types.js'
import { AppError, unauthorized, validationError } from '../../lib/errors.js'
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from '../../lib/passwords.js'
import { normalizeUsername, usernameKey } from '../../lib/usernames.js'
import * as q from './queries.js'
import { toUserDto } from '../users/index.js'

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')
const REUSE_GRACE_MS = 15_000

function newRefreshToken(sessionId: string) {
  const secret = randomBytes(32).toString('base64url')
  return { token: `${sessionId}.${secret}`, hash: sha256(secret) }
}

function parseRefreshToken(token: string) {
  const dot = token.indexOf('.')
  if (dot <= 0) return null
  return { sessionId: token.slice(0, dot), hash: sha256(token.slice(dot + 1)) }
}

export interface AuthContext {
  app: FastifyInstance
  refreshTokenDays: number
}

function refreshExpiry(ctx: AuthContext) {
  return new Date(ctx.app.clock.now().getTime() + ctx.refreshTokenDays * 86_400_000)
}

function signAccess(ctx: AuthContext, userId: number, sessionId: string) {
  return ctx.app.jwt.sign({ sub: userId, sid: sessionId })
}

/**
 * Throttled login attempt: 429 RATE_LIMITED with the same words for every account, known or not,
 * and the seconds to wait (the route sends them as Retry-After).
 */
export class LoginThrottled extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', throttledMessage(retryAfterSeconds))
  }
}

export function throttledMessage(seconds: number) {
  return `登录尝试过于频繁，请 ${Math.max(1, Math.ceil(seconds / 60))} 分钟后再试`
}

/**
 * The in-process rate limit's key for a login: the account (rate limits key on the account, not only the address)
 * and the address, so a stranger's flood never blocks the owner elsewhere.
 */
export function loginLimitKey(username: unknown, ip: string | undefined) {
  return `login:${usernameKey(String(username ?? ''))}:${clientAddressKey(ip)}`
}

const WRONG_CREDENTIALS = '用户名或密码错误'
/** Roughly one failed login in this many also drops day-old throttle rows: pruning stays cheap and needs no timer. */
const PRUNE_EVERY = 100

function throttled(until: Date, now: Date): LoginThrottled {
  return new LoginThrottled(Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)))
}

/**
 * The address a throttle counts on. IPv6 clients usually own a whole /64, so they are counted per
 * /64; an IPv4 address written as IPv6 (::ffff:a.b.c.d) is the IPv4 address.
 */
export function clientAddressKey(ip: string | undefined): string {
  if (!ip) return 'unknown'
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)
  if (mapped) return mapped[1]
  if (!ip.includes(':')) return ip
  const [head, tail = ''] = ip.split('%')[0].toLowerCase().split('::')
  const left = head ? head.split(':') : []
  const right = ip.includes('::') && tail ? tail.split(':') : []
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

/**
 * Login with throttling per (account, client address) instead of locking the account: a stranger's
 * failures make only the stranger wait, never the owner on another address.
 * - (account, address): 5 failures free, then waits of 1, 2, 4 … minutes, capped at 15; a success
 *   from that address forgets them.
 * - one address across all accounts: 300 failures in a 10-minute window, then it waits for the
 *   window's end (slows password spraying). Successes never count, so an office behind one NAT gets in.
 * Unknown and known accounts get the same answers and a similar cost; the username is trimmed and
 * NFKC-normalised first, and the throttle key is also lower-cased.
 */
export async function login(ctx: AuthContext, username: string, password: string, client: { ip?: string; userAgent?: string }) {
  const { db, clock } = ctx.app
  const now = clock.now()
  const key = usernameKey(username)
  const address = clientAddressKey(client.ip)

  const addressBlock = await q.blockedUntil(db, q.ANY_ACCOUNT, address, now)
  if (addressBlock) throw throttled(addressBlock, now)
  if (!key) return refuseBlankUsername(ctx.app, password, address, now) // '' is the address row's key
  if (!(await q.chargeLoginAttempt(db, key, address, now))) {
    throw throttled((await q.blockedUntil(db, key, address, now)) ?? now, now)
  }

  const user = await q.findUserForLogin(db, normalizeUsername(username))
  // Unknown users cost a real check too: no user enumeration by timing.
  const passwordOk = await verifyPassword(user?.password_hash ?? (await decoyHash()), password)
  if (!user || !passwordOk) {
    await recordFailure(ctx.app, address, now)
    throw unauthorized(WRONG_CREDENTIALS)
  }
  await q.clearLoginFailures(db, key, address)
  if (!user.active) throw unauthorized('账号已停用，请联系管理员')

  const sessionId = randomBytes(12).toString('base64url')
  const refresh = newRefreshToken(sessionId)
  await q.insertSession(db, { id: sessionId, userId: user.id, tokenHash: refresh.hash, expiresAt: refreshExpiry(ctx), ...client })
  // 登录 earns a point once a day: the points module reacts to this after the session is stored.
  await ctx.app.events.emitAndSettle('user:loggedIn', { userId: user.id, orgId: user.org_id, at: now })
  return {
    accessToken: signAccess(ctx, user.id, sessionId),
    refreshToken: refresh.token,
    user: toUserDto({ ...user, must_change_password: user.must_change_password }),
  }
}

export async function refresh(ctx: AuthContext, refreshToken: string) {
  const { db, clock } = ctx.app
  const parsed = parseRefreshToken(refreshToken)
  if (!parsed) throw unauthorized('登录已失效，请重新登录')
  const session = await q.findSession(db, parsed.sessionId)
  const now = clock.now()
  if (!session || session.revoked_at || new Date(session.expires_at) <= now) throw unauthorized('登录已失效，请重新登录')

  if (session.token_hash !== parsed.hash) {
    // An old token presented again. Right after a rotation it is a race between two tabs; later it
    // means the token was stolen and replayed, so the whole session is ended.
    const racing = session.prev_token_hash === parsed.hash && session.rotated_at && now.getTime() - new Date(session.rotated_at).getTime() < REUSE_GRACE_MS
    if (!racing) {
      await q.revokeSession(db, session.id, now)
      ctx.app.forgetSessions((p) => p.sessionId === session.id)
    }
    throw unauthorized('登录已失效，请重新登录')
  }
  const next = newRefreshToken(session.id)
  const rotated = await q.rotateSessionToken(db, session.id, parsed.hash, next.hash, now, refreshExpiry(ctx))
  if (!rotated) throw unauthorized('登录已失效，请重新登录')
  return { accessToken: signAccess(ctx, session.user_id, session.id), refreshToken: next.token }
}

export async function logout(app: FastifyInstance, sessionId: string) {
  await q.revokeSession(app.db, sessionId, app.clock.now())
  app.forgetSessions((p) => p.sessionId === sessionId)
}

export async function changePassword(app: FastifyInstance, userId: number, sessionId: string, current: string, next: string) {
  const db: Kysely<Database> = app.db
  const user = await db.selectFrom('users').select(['password_hash', 'username', 'name']).where('id', '=', userId).executeTakeFirstOrThrow()
  if (!(await verifyPassword(user.password_hash, current))) {
    throw new AppError(400, 'VALIDATION', '当前密码不正确', [{ field: 'currentPassword', message: '当前密码不正确' }])
  }
  // A weak or reused new password is a 400 naming newPassword.
  const problem = current === next ? '新密码不能与当前密码相同' : passwordProblem(next, user.username, user.name)
  if (problem) throw validationError(problem, [{ field: 'newPassword', message: problem }])
  const passwordHash = await hashPassword(next)
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('users').set({ password_hash: passwordHash, must_change_password: false, updated_at: app.clock.now() }).where('id', '=', userId).execute()
    await q.revokeUserSessions(tx, userId, app.clock.now(), sessionId)
  })
  app.forgetSessions((p) => p.userId === userId)
}

/** A blank username (spaces only) is no account: answered and costed like any wrong login. */
async function refuseBlankUsername(app: FastifyInstance, password: string, address: string, now: Date): Promise<never> {
  await verifyPassword(await decoyHash(), password)
  await recordFailure(app, address, now)
  throw unauthorized(WRONG_CREDENTIALS)
}

async function recordFailure(app: FastifyInstance, address: string, now: Date) {
  await q.recordAddressFailure(app.db, address, now)
  if (Math.random() < 1 / PRUNE_EVERY) {
    q.pruneLoginFailures(app.db, now).catch((err) => app.log.warn({ err }, 'login throttle rows not pruned'))
  }
}
