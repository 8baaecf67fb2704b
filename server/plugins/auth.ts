// Authentication for every /api route (unless its config says `public: true`) and the one guard
// mechanism all modules use: `requireRole(min)` and the scope helpers in lib/scope.ts.
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import type { Role } from '../db/types.js'
import { AppError, forbidden, unauthorized } from '../lib/errors.js'
import { roleAtLeast, type Principal } from '../lib/scope.js'
import type { Clock } from '../lib/clock.js'
import { findSessionPrincipal } from '../modules/auth/queries.js'

export interface AccessTokenPayload {
  sub: number
  sid: string
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: AccessTokenPayload
    user: AccessTokenPayload
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** No token needed (login, refresh, health). */
    public?: boolean
    /** Reachable while the user still has to change an imported password. */
    allowPendingPasswordChange?: boolean
  }
  interface FastifyRequest {
    principal: Principal
  }
  interface FastifyInstance {
    clock: Clock
    /** Forget cached session state (after logout, password change, disabling a user). */
    forgetSessions(filter: (p: Principal) => boolean): void
    /** Resolve a raw access token (socket.io handshakes). Throws 401 AppError. */
    principalFromToken(token: string): Promise<Principal>
  }
}

/**
 * Session state is cached for a few seconds per process: checking revocation on every request
 * would add a query to each autosave, and a revoked session surviving ≤ 5 s is acceptable.
 */
const CACHE_MS = 5_000

export default fp<{ secret: string; accessTokenMinutes: number; clock: Clock }>(async function authPlugin(app: FastifyInstance, opts) {
  await app.register(jwt, { secret: opts.secret, sign: { expiresIn: `${opts.accessTokenMinutes}m` } })
  app.decorate('clock', opts.clock)
  app.decorateRequest('principal', null as unknown as Principal)

  const cache = new Map<string, { at: number; principal: Principal | null }>()

  async function loadPrincipal(sessionId: string): Promise<Principal | null> {
    const hit = cache.get(sessionId)
    const nowMs = Date.now()
    if (hit && nowMs - hit.at < CACHE_MS) return hit.principal
    const row = await findSessionPrincipal(app.db, sessionId)
    const valid = row && !row.revoked_at && row.active && new Date(row.expires_at) > opts.clock.now()
    const principal: Principal | null = valid
      ? {
          userId: row.user_id, sessionId: row.session_id, username: row.username, name: row.name, role: row.role,
          orgId: row.org_id, orgPath: row.org_path, mustChangePassword: row.must_change_password,
        }
      : null
    if (cache.size > 50_000) cache.clear()
    cache.set(sessionId, { at: nowMs, principal })
    return principal
  }

  app.decorate('forgetSessions', (filter: (p: Principal) => boolean) => {
    for (const [sid, entry] of cache) if (!entry.principal || filter(entry.principal)) cache.delete(sid)
  })

  app.decorate('principalFromToken', async (token: string) => {
    let payload: AccessTokenPayload
    try {
      payload = app.jwt.verify<AccessTokenPayload>(token)
    } catch {
      throw unauthorized('登录已过期，请重新登录')
    }
    const principal = await loadPrincipal(payload.sid)
    if (!principal || principal.userId !== payload.sub) throw unauthorized('登录已失效，请重新登录')
    return principal
  })

  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.url.startsWith('/api/') || request.url.startsWith('/api/docs')) return
    const config = request.routeOptions.config
    if (config?.public || !request.routeOptions.url) return // unknown routes fall through to 404
    const header = request.headers.authorization
    if (!header?.startsWith('Bearer ')) throw unauthorized()
    request.principal = await app.principalFromToken(header.slice(7))
    if (request.principal.mustChangePassword && !config?.allowPendingPasswordChange) {
      throw new AppError(403, 'PASSWORD_CHANGE_REQUIRED', '首次登录请先修改密码')
    }
  })
})

/** preHandler: the caller's role must be at least `min`. */
export function requireRole(min: Role): preHandlerAsyncHookHandler {
  return async (request) => {
    if (!roleAtLeast(request.principal.role, min)) throw forbidden()
  }
}
