// Login, rotating refresh tokens, logout and password change.
import { createHash, randomBytes } from 'node:crypto'
import type { Deps } from '../../lib/deps.js'
import type { Principal } from '../../lib/scope.js'
import { audit, auditRow } from '../../lib/audit.js'
import { withTransaction, type Tx } from '../../lib/transaction.js'
import { AppError, unauthorized, validationError } from '../../lib/errors.js'
import { decoyHash, hashPassword, hashPool, passwordProblem, verifyPassword, type HashPlace } from '../../lib/passwords.js'
import { normalizeUsername, usernameKey } from '../../lib/usernames.js'
import type { SessionRules } from '../../plugins/auth.js'
import * as q from './queries.js'
import { newTotpSecret, totpStep, totpUri } from './totp.js'
import type { AddressBlocks } from './address-blocks.js'
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

/**
 * What the auth services need besides `deps`: token signing and the session cache live in the
 * auth plugin (infrastructure), so the route hands them over as functions.
 */
export interface AuthContext {
  deps: Deps
  refreshTokenDays: number
  /** Signs an access token for this many minutes. */
  sign(payload: { sub: number; sid: string }, minutes: number): string
  accessTokenMinutes: number
  sessionRules(): Promise<SessionRules>
  forgetSessions(filter: (p: Principal) => boolean): void
  /** Activity this process recorded for a session and may not have written yet. */
  lastActivity(sessionId: string): Date | undefined
  /** Addresses this process has seen blocked for spraying, refused at the door. */
  addressBlocks: AddressBlocks
}

function refreshExpiry(ctx: AuthContext) {
  return new Date(ctx.deps.clock.now().getTime() + ctx.refreshTokenDays * 86_400_000)
}

/**
 * An access token never outlives the idle limit: a session's last request is at or after its
 * token was issued, so a token that expires within the limit cannot carry a request past
 * "last activity + limit"; renewing it (refresh) is where the idle and absolute limits are checked.
 */
async function signAccess(ctx: AuthContext, userId: number, sessionId: string) {
  const rules = await ctx.sessionRules()
  return ctx.sign({ sub: userId, sid: sessionId }, Math.min(ctx.accessTokenMinutes, rules.idleMinutes))
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
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
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
export async function login(
  ctx: AuthContext,
  username: string,
  password: string,
  client: { ip?: string; userAgent?: string; totpCode?: string },
) {
  // An address known to be blocked is refused before anything else: its flood takes no places.
  const now = ctx.deps.clock.now()
  const known = ctx.addressBlocks.blockedUntil(clientAddressKey(client.ip), now)
  if (known) throw throttled(known, now)
  // A place in the hashing queue comes next: a login turned away by a storm (503 + Retry-After) is
  // refused before anything is read or charged — it is not a failed guess.
  const place = hashPool.admit()
  try {
    return await admittedLogin(ctx, username, password, client, place)
  } finally {
    place.release()
  }
}

async function admittedLogin(
  ctx: AuthContext,
  username: string,
  password: string,
  client: { ip?: string; userAgent?: string; totpCode?: string },
  place: HashPlace,
) {
  const { db, clock } = ctx.deps
  const now = clock.now()
  const key = usernameKey(username)
  const address = clientAddressKey(client.ip)

  const addressBlock = await q.blockedUntil(db, q.ANY_ACCOUNT, address, now)
  if (addressBlock) {
    ctx.addressBlocks.remember(address, addressBlock)
    throw throttled(addressBlock, now)
  }
  if (!key) return refuseBlankUsername(ctx.deps, password, address, now, place) // '' is the address row's key
  if (!(await q.chargeLoginAttempt(db, key, address, now))) {
    throw throttled((await q.blockedUntil(db, key, address, now)) ?? now, now)
  }

  const user = await q.findUserForLogin(db, normalizeUsername(username))
  // Unknown users cost a real check too: no user enumeration by timing.
  const passwordOk = await verifyPassword(user?.password_hash ?? (await decoyHash()), password, place)
  // A disabled account is refused like a wrong password whatever the password: the answer neither
  // confirms its password nor tells it from an unknown account, and its failures keep counting.
  if (!user || !passwordOk || !user.active) {
    await recordFailure(ctx.deps, address, now, { username: key, ip: client.ip, userId: user?.id, disabled: user && !user.active })
    throw unauthorized(WRONG_CREDENTIALS)
  }
  // The second factor, when the person has one: without a code the client is asked for it (the
  // attempt stays charged, so guessing codes is throttled like guessing passwords).
  if (user.totp_secret && user.totp_enabled_at) {
    if (!client.totpCode) throw new AppError(401, 'TOTP_REQUIRED', '请输入动态口令（身份验证器中的 6 位数字）')
    if (!(await acceptTotp(db, user.id, user.totp_secret, client.totpCode, now))) {
      await recordFailure(ctx.deps, address, now, { username: key, ip: client.ip, userId: user.id, totp: true })
      throw new AppError(401, 'TOTP_INVALID', '动态口令不正确或已过期')
    }
  }
  await q.clearLoginFailures(db, key, address)

  const sessionId = randomBytes(12).toString('base64url')
  const refresh = newRefreshToken(sessionId)
  await q.insertSessionAudited(
    db,
    {
      id: sessionId,
      userId: user.id,
      tokenHash: refresh.hash,
      expiresAt: refreshExpiry(ctx),
      createdAt: now,
      ip: client.ip,
      userAgent: client.userAgent,
    },
    auditRow(user.id, 'auth.login', 'user', user.id, {
      ip: client.ip ?? null,
      userAgent: client.userAgent?.slice(0, 200) ?? null,
      totp: !!user.totp_enabled_at,
    }),
  )
  // 登录 earns a point once a day: the points module reacts to this after the session is stored.
  await ctx.deps.events.emitAndSettle('user:loggedIn', { userId: user.id, orgId: user.org_id, at: now })
  return {
    accessToken: await signAccess(ctx, user.id, sessionId),
    refreshToken: refresh.token,
    user: toUserDto({ ...user, must_change_password: user.must_change_password }),
  }
}

export async function refresh(ctx: AuthContext, refreshToken: string) {
  const { db, clock } = ctx.deps
  const parsed = parseRefreshToken(refreshToken)
  if (!parsed) throw unauthorized('登录已失效，请重新登录')
  const session = await q.findSession(db, parsed.sessionId)
  const now = clock.now()
  if (!session || session.revoked_at || new Date(session.expires_at) <= now) throw unauthorized('登录已失效，请重新登录')

  if (session.token_hash !== parsed.hash) {
    // An old token presented again. Right after a rotation it is a race between two tabs; later it
    // means the token was stolen and replayed, so the whole session is ended.
    const racing =
      session.prev_token_hash === parsed.hash &&
      session.rotated_at &&
      now.getTime() - new Date(session.rotated_at).getTime() < REUSE_GRACE_MS
    if (!racing) {
      await q.revokeSession(db, session.id, now)
      ctx.forgetSessions((p) => p.sessionId === session.id)
    }
    throw unauthorized('登录已失效，请重新登录')
  }
  await assertSessionLimits(ctx, session, now)
  const next = newRefreshToken(session.id)
  const rotated = await q.rotateSessionToken(db, session.id, parsed.hash, next.hash, now, refreshExpiry(ctx))
  if (!rotated) throw unauthorized('登录已失效，请重新登录')
  return { accessToken: await signAccess(ctx, session.user_id, session.id), refreshToken: next.token }
}

/**
 * 等保2.0 §8.1.4.1: a session ends after the idle limit without a request — unless its person has
 * an exam attempt open, whose page must never be signed out mid-exam — and after the absolute
 * limit whatever its activity. Ending it is audited.
 */
async function assertSessionLimits(
  ctx: AuthContext,
  session: { id: string; user_id: number; created_at: Date | string; last_seen_at: Date | string | null },
  now: Date,
) {
  const rules = await ctx.sessionRules()
  const started = new Date(session.created_at).getTime()
  // The row, or this process's own record of a request it has not finished writing down.
  const lastSeen = Math.max(new Date(session.last_seen_at ?? session.created_at).getTime(), ctx.lastActivity(session.id)?.getTime() ?? 0)
  const tooOld = now.getTime() - started > rules.sessionMaxHours * 3_600_000
  const idle =
    !tooOld && now.getTime() - lastSeen > rules.idleMinutes * 60_000 && !(await q.hasOpenAttempt(ctx.deps.db, session.user_id, now))
  if (!tooOld && !idle) return
  await withTransaction(ctx.deps, async (tx) => {
    await q.revokeSession(tx, session.id, now)
    await audit(tx, session.user_id, 'auth.session_ended', 'user', session.user_id, { reason: tooOld ? 'max_age' : 'idle' })
  })
  ctx.forgetSessions((p) => p.sessionId === session.id)
  throw tooOld
    ? new AppError(401, 'SESSION_EXPIRED', '登录时间已到上限，请重新登录')
    : new AppError(401, 'SESSION_IDLE', `超过 ${rules.idleMinutes} 分钟未操作，请重新登录`)
}

export async function logout(ctx: AuthContext, principal: Principal) {
  await withTransaction(ctx.deps, async (tx) => {
    await q.revokeSession(tx, principal.sessionId, ctx.deps.clock.now())
    await audit(tx, principal.userId, 'auth.logout', 'user', principal.userId)
  })
  ctx.forgetSessions((p) => p.sessionId === principal.sessionId)
}

export async function changePassword(ctx: AuthContext, userId: number, sessionId: string, current: string, next: string) {
  const { db, clock } = ctx.deps
  const user = await db.selectFrom('users').select(['password_hash', 'username', 'name']).where('id', '=', userId).executeTakeFirstOrThrow()
  if (!(await verifyPassword(user.password_hash, current))) {
    throw new AppError(400, 'VALIDATION', '当前密码不正确', [{ field: 'currentPassword', message: '当前密码不正确' }])
  }
  // A weak or reused new password is a 400 naming newPassword.
  const problem = current === next ? '新密码不能与当前密码相同' : passwordProblem(next, user.username, user.name)
  if (problem) throw validationError(problem, [{ field: 'newPassword', message: problem }])
  const passwordHash = await hashPassword(next)
  const now = clock.now()
  await changeCredentials(ctx, userId, sessionId, async (tx) => {
    await tx
      .updateTable('users')
      .set({ password_hash: passwordHash, must_change_password: false, password_changed_at: now, updated_at: now })
      .where('id', '=', userId)
      .execute()
    await audit(tx, userId, 'auth.password', 'user', userId)
  })
}

/**
 * A change of how a person proves who she is (a new password, a second factor turned on) ends every
 * other session of hers — refresh tokens, cached sessions and their sockets — and keeps the one that
 * made it. What a session may do is read per person (users.totp_enabled_at), so a session opened
 * with the old proof (a stolen password) would otherwise carry on as if it had given the new one.
 */
async function changeCredentials(ctx: AuthContext, userId: number, keepSessionId: string, change: (tx: Tx) => Promise<void>) {
  await withTransaction(ctx.deps, async (tx) => {
    await change(tx)
    await q.revokeUserSessions(tx, userId, ctx.deps.clock.now(), keepSessionId)
  })
  ctx.forgetSessions((p) => p.userId === userId)
}

/**
 * A TOTP code is accepted once (RFC 6238 §5.2): its time step must be later than the last one this
 * person's codes were accepted for, and is recorded in the same conditional update that checks it,
 * so two logins racing with one code cannot both pass.
 */
async function acceptTotp(db: Deps['db'], userId: number, secret: string, code: string, now: Date) {
  const step = await totpStep(secret, code, now)
  return step !== null && (await q.claimTotpStep(db, userId, step))
}

/** A blank username (spaces only) is no account: answered and costed like any wrong login. */
async function refuseBlankUsername(deps: Deps, password: string, address: string, now: Date, place: HashPlace): Promise<never> {
  await verifyPassword(await decoyHash(), password, place)
  await recordFailure(deps, address, now, { username: '', ip: address })
  throw unauthorized(WRONG_CREDENTIALS)
}

/** A failed login counts against the address and is audited (who tried which account from where). */
async function recordFailure(
  deps: Deps,
  address: string,
  now: Date,
  what: { username: string; ip?: string; userId?: number; totp?: boolean; disabled?: boolean },
) {
  await q.recordAddressFailure(deps.db, address, now)
  await audit(deps.db, null, 'auth.login_failed', 'user', what.userId ?? null, {
    username: what.username.slice(0, 64),
    ip: what.ip ?? address,
    ...(what.totp && { totp: true }),
    ...(what.disabled && { disabled: true }),
  })
  if (Math.random() < 1 / PRUNE_EVERY) {
    q.pruneLoginFailures(deps.db, now).catch((err) => deps.log.warn({ err }, 'login throttle rows not pruned'))
  }
}

/** Starts setting up a second factor: a new secret, shown once as a QR code / key, not yet required. */
export async function startTotpSetup(ctx: AuthContext, principal: Principal) {
  const current = await q.findTotp(ctx.deps.db, principal.userId)
  if (current.totp_enabled_at) throw new AppError(409, 'CONFLICT', '已启用双因素认证；如需更换，请先停用')
  const secret = newTotpSecret()
  await q.setTotp(ctx.deps.db, principal.userId, secret, null)
  return { secret, otpauthUrl: totpUri(secret, current.username) }
}

/** Turns the second factor on once the person proves her authenticator shows the right codes. */
export async function enableTotp(ctx: AuthContext, principal: Principal, code: string) {
  const current = await q.findTotp(ctx.deps.db, principal.userId)
  if (current.totp_enabled_at) return
  if (!current.totp_secret) throw new AppError(409, 'CONFLICT', '请先获取密钥')
  const now = ctx.deps.clock.now()
  if (!(await acceptTotp(ctx.deps.db, principal.userId, current.totp_secret, code, now)))
    throw validationError('动态口令不正确', [{ field: 'code', message: '动态口令不正确或已过期' }])
  await changeCredentials(ctx, principal.userId, principal.sessionId, async (tx) => {
    await q.setTotp(tx, principal.userId, current.totp_secret, now)
    await audit(tx, principal.userId, 'auth.totp_enabled', 'user', principal.userId)
  })
}

/** Turns it off with a current code (an admin then must set it up again if the policy requires it). */
export async function disableTotp(ctx: AuthContext, principal: Principal, code: string) {
  const current = await q.findTotp(ctx.deps.db, principal.userId)
  if (!current.totp_enabled_at || !current.totp_secret) return
  if (!(await acceptTotp(ctx.deps.db, principal.userId, current.totp_secret, code, ctx.deps.clock.now())))
    throw validationError('动态口令不正确', [{ field: 'code', message: '动态口令不正确或已过期' }])
  await withTransaction(ctx.deps, async (tx) => {
    await q.setTotp(tx, principal.userId, null, null)
    await audit(tx, principal.userId, 'auth.totp_disabled', 'user', principal.userId)
  })
  ctx.forgetSessions((p) => p.userId === principal.userId)
}

/** What 我的 → 账号安全 shows. */
export async function securityState(ctx: AuthContext, principal: Principal) {
  const [current, rules] = await Promise.all([q.findTotp(ctx.deps.db, principal.userId), ctx.sessionRules()])
  return {
    totpEnabled: !!current.totp_enabled_at,
    totpRequired: principal.role === 'admin' && rules.totpRequiredForAdmins,
    idleMinutes: rules.idleMinutes,
    sessionMaxHours: rules.sessionMaxHours,
  }
}
