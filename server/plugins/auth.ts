// Access control for every route: each route declares `config.access` (public, any signed-in
// person, staff, admin) and this plugin checks it on the route the router MATCHED — never on the
// raw URL, so `/%61pi/orgs` is held to the same rule as `/api/orgs`. A route that declares nothing
// is refused (default deny). Record-level scope (own subtree, own attempt) is checked by each
// module with the helpers in lib/scope.ts.
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import type { Role } from '../db/types.js'
import { AppError, forbidden, unauthorized } from '../lib/errors.js'
import { roleAtLeast, type Principal } from '../lib/scope.js'
import type { Clock } from '../lib/clock.js'
import { findSessionPrincipal, findSessionPrincipals, type SessionPrincipalRow } from './session-queries.js'

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

/**
 * Who may call a route: `public` (no token: login, refresh, health, static files), `signed-in`
 * (anyone with a valid session; the handler limits members to their own records), `staff`
 * (secretaries and admins; secretaries only inside their subtree) or `admin`.
 */
export type RouteAccess = 'public' | 'signed-in' | 'staff' | 'admin'
export const ROUTE_ACCESS: readonly RouteAccess[] = ['public', 'signed-in', 'staff', 'admin']
const MIN_ROLE: Record<Exclude<RouteAccess, 'public'>, Role> = { 'signed-in': 'member', staff: 'secretary', admin: 'admin' }

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess
    /** Reachable while the user still has to change an imported password. */
    allowPendingPasswordChange?: boolean
  }
  interface FastifyRequest {
    principal: Principal
  }
  interface FastifyInstance {
    clock: Clock
    /** Forget cached session state (after logout, password change, disabling a user); listeners end their sockets. */
    forgetSessions(filter: (p: Principal) => boolean): void
    /** Called with each forgetSessions filter (realtime ends the matching sockets). */
    onSessionsForgotten(listener: (filter: (p: Principal) => boolean) => void): void
    /** The valid sessions among `sessionIds`, as they are now in the database (one query, no cache). */
    currentPrincipals(sessionIds: string[]): Promise<Map<string, Principal>>
    /** Resolve a raw access token (socket.io handshakes). Throws 401 AppError. */
    principalFromToken(token: string): Promise<Principal>
    /** Every route registered after this plugin, as registered (tests check each declares access). */
    routeTable: RouteOptions[]
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

  app.decorate('routeTable', [] as RouteOptions[])
  app.addHook('onRoute', (route) => { app.routeTable.push(route) })

  async function loadPrincipal(sessionId: string): Promise<Principal | null> {
    const hit = cache.get(sessionId)
    const nowMs = Date.now()
    if (hit && nowMs - hit.at < CACHE_MS) return hit.principal
    const row = await findSessionPrincipal(app.db, sessionId)
    const valid = row && !row.revoked_at && row.active && new Date(row.expires_at) > opts.clock.now()
    const principal: Principal | null = valid ? toPrincipal(row) : null
    if (cache.size > 50_000) cache.clear()
    cache.set(sessionId, { at: nowMs, principal })
    return principal
  }

  const forgottenListeners: ((filter: (p: Principal) => boolean) => void)[] = []
  app.decorate('forgetSessions', (filter: (p: Principal) => boolean) => {
    for (const [sid, entry] of cache) if (!entry.principal || filter(entry.principal)) cache.delete(sid)
    for (const listener of forgottenListeners) listener(filter)
  })
  app.decorate('onSessionsForgotten', (listener: (filter: (p: Principal) => boolean) => void) => { forgottenListeners.push(listener) })

  app.decorate('currentPrincipals', async (sessionIds: string[]) => {
    // Chunked: a node may hold ~20,000 sockets, and one statement takes at most 65,535 parameters.
    const rows = []
    for (let i = 0; i < sessionIds.length; i += 5_000) rows.push(...(await findSessionPrincipals(app.db, sessionIds.slice(i, i + 5_000))))
    const now = opts.clock.now()
    return new Map(rows.filter((r) => !r.revoked_at && r.active && new Date(r.expires_at) > now).map((r) => [r.session_id, toPrincipal(r)]))
  })

  app.decorate('principalFromToken', async (token: string) => {
    let payload: AccessTokenPayload
    try {
      payload = app.jwt.verify<AccessTokenPayload & { exp?: unknown }>(token)
    } catch {
      throw unauthorized('登录已过期，请重新登录')
    }
    // A token that never expires is not one we issue: refuse it even when its signature is good.
    const claims = payload as AccessTokenPayload & { exp?: unknown }
    if (typeof claims.exp !== 'number' || typeof payload.sid !== 'string' || typeof payload.sub !== 'number') {
      throw unauthorized('登录已失效，请重新登录')
    }
    const principal = await loadPrincipal(payload.sid)
    if (!principal || principal.userId !== payload.sub) throw unauthorized('登录已失效，请重新登录')
    return principal
  })

  app.addHook('onRequest', async (request: FastifyRequest) => {
    if (!request.routeOptions.url) return // no route matched: the not-found handler answers 404
    const config = request.routeOptions.config
    const access = config?.access
    if (!access || !ROUTE_ACCESS.includes(access)) throw forbidden('该接口未声明访问权限，已拒绝')
    if (access === 'public') return
    const header = request.headers.authorization
    if (!header?.startsWith('Bearer ')) throw unauthorized()
    request.principal = await app.principalFromToken(header.slice(7))
    if (request.principal.mustChangePassword && !config?.allowPendingPasswordChange) {
      throw new AppError(403, 'PASSWORD_CHANGE_REQUIRED', '首次登录请先修改密码')
    }
    if (!roleAtLeast(request.principal.role, MIN_ROLE[access])) throw forbidden()
  })
})

/**
 * Registers routes made by third-party plugins (static files, API docs) as public: they cannot
 * declare access themselves, and without a declaration default-deny would refuse them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any Fastify flavour (type provider, server)
export async function registerPublic<A extends FastifyInstance<any, any, any, any, any>>(app: A, register: (scope: A) => Promise<void>) {
  await app.register(async (child) => {
    const scope = child as unknown as A
    scope.addHook('onRoute', (route: RouteOptions) => {
      route.config = { ...(route.config as object), access: route.config?.access ?? 'public' }
    })
    await register(scope)
  })
}

function toPrincipal(row: SessionPrincipalRow): Principal {
  return {
    userId: row.user_id, sessionId: row.session_id, username: row.username, name: row.name, role: row.role,
    orgId: row.org_id, orgPath: row.org_path, mustChangePassword: row.must_change_password,
  }
}
