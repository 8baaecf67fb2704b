// Login, rotating refresh tokens, logout and password change.
import { createHash, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { FastifyInstance } from 'fastify'
import type { Database } from '../../db/types.js'
import { AppError, unauthorized, unprocessable } from '../../lib/errors.js'
import { decoyHash, hashPassword, passwordProblem, verifyPassword } from '../../lib/passwords.js'
import * as q from './queries.js'
import { toUserDto } from '../users/dto.js'
import { award } from '../points/award.js'
import { shanghaiDate } from '../../lib/time.js'

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

export async function login(ctx: AuthContext, username: string, password: string, client: { ip?: string; userAgent?: string }) {
  const { db, clock } = ctx.app
  const user = await q.findUserForLogin(db, username.trim())
  if (!user) {
    await verifyPassword(await decoyHash(), password) // same cost as a real check: no user enumeration by timing
    throw unauthorized('用户名或密码错误')
  }
  const now = clock.now()
  if (user.locked_until && new Date(user.locked_until) > now) {
    const minutes = Math.ceil((new Date(user.locked_until).getTime() - now.getTime()) / 60_000)
    throw new AppError(429, 'ACCOUNT_LOCKED', `登录失败次数过多，账号已临时锁定，请 ${minutes} 分钟后再试`)
  }
  if (!(await verifyPassword(user.password_hash, password))) {
    await q.recordFailedLogin(db, user.id, now)
    throw unauthorized('用户名或密码错误')
  }
  if (!user.active) throw unauthorized('账号已停用，请联系管理员')
  if (user.failed_logins > 0) await q.clearFailedLogins(db, user.id)

  const sessionId = randomBytes(12).toString('base64url')
  const refresh = newRefreshToken(sessionId)
  await q.insertSession(db, { id: sessionId, userId: user.id, tokenHash: refresh.hash, expiresAt: refreshExpiry(ctx), ...client })
  await awardDailyLogin(ctx.app, user.id, user.org_id, now)
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
  const user = await db.selectFrom('users').select(['password_hash', 'username']).where('id', '=', userId).executeTakeFirstOrThrow()
  if (!(await verifyPassword(user.password_hash, current))) {
    throw new AppError(400, 'VALIDATION', '当前密码不正确', [{ field: 'currentPassword', message: '当前密码不正确' }])
  }
  const problem = passwordProblem(next, user.username)
  if (problem) throw unprocessable(problem, [{ field: 'newPassword', message: problem }])
  if (current === next) throw unprocessable('新密码不能与当前密码相同', [{ field: 'newPassword', message: '新密码不能与当前密码相同' }])
  const passwordHash = await hashPassword(next)
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('users').set({ password_hash: passwordHash, must_change_password: false, updated_at: app.clock.now() }).where('id', '=', userId).execute()
    await q.revokeUserSessions(tx, userId, app.clock.now(), sessionId)
  })
  app.forgetSessions((p) => p.userId === userId)
}

/** 登录 earns its point once a day; a failure here must never block logging in. */
async function awardDailyLogin(app: FastifyInstance, userId: number, orgId: number, now: Date) {
  try {
    const result = await award(app.db, { userId, orgId, rule: 'login', idemKey: `login:${shanghaiDate(now)}`, at: now })
    if (!result.duplicate && result.points) app.events.emit('points:changed', userId)
  } catch (err) {
    app.log.warn({ err, userId }, 'login point not awarded')
  }
}
