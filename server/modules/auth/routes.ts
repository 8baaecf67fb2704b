import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { perPersonLimit } from '../../lib/http.js'
import { Type } from '@sinclair/typebox'
import { ErrorBody, Text, UserBody, withErrors } from '../../lib/schemas.js'
import * as auth from './service.js'
import { AddressBlocks } from './address-blocks.js'
import { toUserDto } from '../users/index.js'

const TokenPair = Type.Object({ accessToken: Type.String(), refreshToken: Type.String() })

export const authRoutes: FastifyPluginAsyncTypebox<{ refreshTokenDays: number }> = async (app, opts) => {
  const ctx: auth.AuthContext = {
    deps: app.deps,
    refreshTokenDays: opts.refreshTokenDays,
    accessTokenMinutes: app.accessTokenMinutes,
    sign: (payload, minutes) => app.jwt.sign(payload, { expiresIn: `${minutes}m` }),
    sessionRules: app.sessionRules,
    forgetSessions: (filter) => app.forgetSessions(filter),
    lastActivity: (sessionId) => app.lastActivity(sessionId),
    addressBlocks: new AddressBlocks(),
  }

  app.post(
    '/auth/login',
    {
      config: {
        access: 'public',
        // A per-node first line, keyed on (account, address): the account (limits key on the account, never only the address), the address so a
        // stranger's flood never blocks the owner elsewhere. The shared throttle is in auth.login.
        rateLimit: {
          max: 20,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (req) => auth.loginLimitKey((req.body as { username?: string })?.username, req.ip),
          errorResponseBuilder: (_req, limit) => new auth.LoginThrottled(Math.ceil(limit.ttl / 1000)),
        },
      },
      schema: {
        tags: ['auth'],
        summary: '登录',
        body: Type.Object({
          username: Text(64),
          password: Type.String({ minLength: 1, maxLength: 128 }),
          totpCode: Type.Optional(Type.String({ maxLength: 12 })),
        }),
        response: {
          200: Type.Object({ accessToken: Type.String(), refreshToken: Type.String(), user: UserBody }),
          401: ErrorBody,
          429: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (req, reply) =>
      auth
        .login(ctx, req.body.username, req.body.password, { ip: req.ip, userAgent: req.headers['user-agent'], totpCode: req.body.totpCode })
        .catch((err) => {
          if (err instanceof auth.LoginThrottled) reply.header('retry-after', String(err.retryAfterSeconds))
          throw err
        }),
  )

  app.post(
    '/auth/refresh',
    {
      config: {
        access: 'public',
        rateLimit: {
          max: 60,
          timeWindow: '1 minute',
          hook: 'preHandler',
          keyGenerator: (req) => `refresh:${String((req.body as { refreshToken?: string })?.refreshToken ?? '').split('.')[0]}`,
        },
      },
      schema: {
        tags: ['auth'],
        summary: '刷新令牌（轮换）',
        body: Type.Object({ refreshToken: Text(200) }),
        response: { 200: TokenPair, 401: ErrorBody },
      },
    },
    async (req) => auth.refresh(ctx, req.body.refreshToken),
  )

  app.post(
    '/auth/logout',
    {
      config: { access: 'signed-in', allowPendingPasswordChange: true, allowPendingTotp: true, allowAuditor: true },
      schema: { tags: ['auth'], summary: '退出登录', response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await auth.logout(ctx, req.principal)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/auth/password',
    {
      config: {
        access: 'signed-in',
        allowPendingPasswordChange: true,
        allowPendingTotp: true,
        allowAuditor: true,
        rateLimit: perPersonLimit('pw', 10),
      },
      schema: {
        tags: ['auth'],
        summary: '修改密码（其他会话失效）',
        body: Type.Object({
          currentPassword: Type.String({ minLength: 1, maxLength: 128 }),
          newPassword: Type.String({ minLength: 1, maxLength: 128 }),
        }),
        response: { 204: Type.Null(), 400: ErrorBody, 422: ErrorBody },
      },
    },
    async (req, reply) => {
      await auth.changePassword(ctx, req.principal.userId, req.principal.sessionId, req.body.currentPassword, req.body.newPassword)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/me',
    {
      config: { access: 'signed-in', allowPendingPasswordChange: true, allowPendingTotp: true, allowAuditor: true },
      schema: { tags: ['auth'], summary: '当前用户', response: { 200: UserBody } },
    },
    async (req) => {
      const p = req.principal
      return toUserDto({
        id: p.userId,
        username: p.username,
        name: p.name,
        role: p.role,
        org_id: p.orgId,
        must_change_password: p.mustChangePassword,
      })
    },
  )

  // Second factor (TOTP): reachable before it is set up, so an admin the policy requires it of can set it up.
  const TotpCode = Type.Object({ code: Type.String({ pattern: '^\\d{6}$' }) })
  const totpConfig = {
    access: 'signed-in' as const,
    allowPendingTotp: true,
    allowAuditor: true,
    rateLimit: perPersonLimit('totp', 10),
  }

  app.get(
    '/auth/security',
    {
      config: { access: 'signed-in', allowPendingTotp: true, allowAuditor: true },
      schema: {
        tags: ['auth'],
        summary: '账号安全：双因素认证状态、会话时限',
        response: withErrors({
          200: Type.Object({
            totpEnabled: Type.Boolean(),
            totpRequired: Type.Boolean(),
            idleMinutes: Type.Integer(),
            sessionMaxHours: Type.Integer(),
          }),
        }),
      },
    },
    async (req) => auth.securityState(ctx, req.principal),
  )

  app.post(
    '/auth/totp/setup',
    {
      config: totpConfig,
      schema: {
        tags: ['auth'],
        summary: '双因素认证：生成密钥（扫码添加到身份验证器）',
        response: withErrors({ 200: Type.Object({ secret: Type.String(), otpauthUrl: Type.String() }), 409: ErrorBody }),
      },
    },
    async (req) => auth.startTotpSetup(ctx, req.principal),
  )

  app.post(
    '/auth/totp/enable',
    {
      config: totpConfig,
      schema: {
        tags: ['auth'],
        summary: '双因素认证：输入动态口令以启用',
        body: TotpCode,
        response: withErrors({ 204: Type.Null(), 409: ErrorBody }),
      },
    },
    async (req, reply) => {
      await auth.enableTotp(ctx, req.principal, req.body.code)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/auth/totp/disable',
    {
      config: totpConfig,
      schema: { tags: ['auth'], summary: '双因素认证：输入动态口令以停用', body: TotpCode, response: withErrors({ 204: Type.Null() }) },
    },
    async (req, reply) => {
      await auth.disableTotp(ctx, req.principal, req.body.code)
      return reply.status(204).send(null)
    },
  )
}
