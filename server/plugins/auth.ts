// Access control for every route: each route declares `config.access` (public, any signed-in
// person, staff, admin) and this plugin checks it on the route the router MATCHED — never on the
// raw URL, so `/%61pi/orgs` is held to the same rule as `/api/orgs`. A route that declares nothing
// is refused (default deny). Record-level scope (own subtree, own attempt) is checked by each
// module with the helpers in lib/scope.ts.
import fp from 'fastify-plugin'
import jwt from '@fastify/jwt'
import DataLoader from 'dataloader'
import type { FastifyContextConfig, FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import type { Role } from '../db/types.js'
import { AppError, forbidden, unauthorized } from '../lib/errors.js'
import { roleAtLeast, type Principal } from '../lib/scope.js'
import type { Clock } from '../lib/clock.js'
import { findSessionPrincipals, touchSessions, type SessionPrincipalRow } from './session-queries.js'

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
    /** Reachable by an admin who must still set up the second factor the policy requires. */
    allowPendingTotp?: boolean
    /** Reachable by an auditor, who reaches nothing else (she reads the audit log, signs in and out). */
    allowAuditor?: boolean
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
    /**
     * When this process last recorded activity of a session (its idle-limit touch, which requests do
     * not wait for): a refresh sent right behind a request may otherwise read the row before it lands.
     */
    lastActivity(sessionId: string): Date | undefined
    /** The deployment's current session rules (idle and absolute limits, password age, TOTP for admins). */
    sessionRules: () => Promise<SessionRules>
    /** Configured access-token lifetime; a token is never signed for longer than the idle limit. */
    accessTokenMinutes: number
  }
}

/**
 * Session state is cached for a few seconds per process: checking revocation on every request
 * would add a query to each autosave, and a revoked session surviving ≤ 5 s is acceptable.
 */
const CACHE_MS = 5_000
/**
 * From this age on, a request still gets the cached session but sends a read for the next ones. A
 * person saving every second or two then never waits for that read: on exam day, with the pool's
 * queue full of starts and submits, the read in the way of a save was a third of the slowest
 * saves. Nothing older than CACHE_MS is ever used, so revocation keeps its bound.
 */
const REFRESH_AFTER_MS = 3_000
/**
 * Refresh-ahead reads, which no request waits for, are gathered this long and sent as one statement.
 * On exam day every taker's session turns stale every few seconds: gathered per event-loop turn,
 * those reads were two in five of all statements the server sent (230 a second at 2,000 takers),
 * each a round trip that costs both processes CPU. Gathered for 100 ms, a read still lands long
 * before the entry's CACHE_MS. (Idle-limit touches stay per turn: they record when the person was
 * active, and a refresh right after a request must already see it.)
 */
const REFRESH_GATHER_MS = 100

/**
 * The deployment's session rules (its policy switches; the app passes a reader so this plugin
 * imports no module). A session's idle and absolute limits are enforced where it is renewed
 * (refresh) and by access tokens that never outlive the idle limit; see `accessTokenMinutes`.
 */
export interface SessionRules {
  idleMinutes: number
  sessionMaxHours: number
  passwordMaxDays: number
  totpRequiredForAdmins: boolean
}
const DEFAULT_SESSION_RULES: SessionRules = { idleMinutes: 30, sessionMaxHours: 168, passwordMaxDays: 0, totpRequiredForAdmins: false }

/** Verified access tokens kept per process: every taker of one node's exam, with room to spare. */
const VERIFIED_TOKENS_CACHED = 20_000

/** last_seen_at is written at most this often per session: idle limits are counted in minutes. */
const TOUCH_EVERY_MS = 60_000

interface CachedSession {
  at: number
  clockAt: number
  principal: Principal | null
}

export default fp<{ secret: string; accessTokenMinutes: number; clock: Clock; sessionRules?: () => Promise<SessionRules> }>(
  async function authPlugin(app: FastifyInstance, opts) {
    await app.register(jwt, {
      secret: opts.secret,
      sign: { expiresIn: `${opts.accessTokenMinutes}m` },
      // Verified tokens are remembered until they expire (bounded LRU, per process): a taker's token
      // arrives with every save, and decoding it and checking its signature took 8.4 µs a request
      // on the bench machine, 3.2 µs from the cache. Only the signature check is cached — the
      // session behind the token is still checked on every request (revocation within CACHE_MS).
      verify: { cache: VERIFIED_TOKENS_CACHED },
    })
    app.decorate('clock', opts.clock)
    app.decorateRequest('principal', null as unknown as Principal)
    const sessionRules = opts.sessionRules ?? (async () => DEFAULT_SESSION_RULES)
    app.decorate('sessionRules', sessionRules)
    app.decorate('accessTokenMinutes', opts.accessTokenMinutes)

    const cache = new Map<string, CachedSession>()
    const touched = new Map<string, number>()

    app.decorate('routeTable', [] as RouteOptions[])
    app.addHook('onRoute', (route) => {
      app.routeTable.push(route)
    })

    /**
     * Session reads and idle-limit touches asked for in the same event-loop turn go to the database
     * as one statement each (batched on setImmediate, after every socket ready in this turn was
     * read). On exam day each taker's cached session expires every few seconds: one query per
     * request that found it stale was a tenth of all round trips to PostgreSQL.
     */
    const batching = { cache: false, batchScheduleFn: (run: () => void) => setImmediate(run), maxBatchSize: 5_000 } as const
    const gathering = { ...batching, batchScheduleFn: (run: () => void) => setTimeout(run, REFRESH_GATHER_MS) } as const
    const readRows = async (ids: readonly string[]) => {
      const rows = await findSessionPrincipals(app.db, [...new Set(ids)])
      const byId = new Map(rows.map((r) => [r.session_id, r]))
      return ids.map((id) => byId.get(id))
    }
    /** For a request waiting on the read (nothing cached, or older than CACHE_MS). */
    const sessionReads = new DataLoader<string, SessionPrincipalRow | undefined>(readRows, batching)
    /** Refresh-ahead: the request was answered from the cache; this read is for the ones after it. */
    const refreshReads = new DataLoader<string, SessionPrincipalRow | undefined>(readRows, gathering)
    const sessionTouches = new DataLoader<string, true>(async (ids) => {
      await touchSessions(app.db, [...new Set(ids)], opts.clock.now())
      return ids.map(() => true as const)
    }, batching)

    const refreshing = new Set<string>()
    /** Counts forgetSessions calls: a read sent before one (a logout, a password change) is not kept. */
    let forgets = 0

    async function loadSession(sessionId: string): Promise<CachedSession> {
      const hit = cache.get(sessionId)
      // Age in both real time and the app's clock (a test's clock may jump ahead).
      const age = hit ? Math.max(Date.now() - hit.at, Math.abs(opts.clock.now().getTime() - hit.clockAt)) : Infinity
      if (age >= CACHE_MS) return readSession(sessionId)
      if (age >= REFRESH_AFTER_MS && !refreshing.has(sessionId)) {
        refreshing.add(sessionId)
        // A failed read leaves the entry to expire: the request after CACHE_MS reads it again itself.
        readSession(sessionId, refreshReads)
          .catch(() => {})
          .finally(() => refreshing.delete(sessionId))
      }
      return hit!
    }

    async function readSession(sessionId: string, reads = sessionReads): Promise<CachedSession> {
      const nowMs = Date.now()
      const clockMs = opts.clock.now().getTime()
      const forgetsBefore = forgets
      const [row, rules] = await Promise.all([reads.load(sessionId), sessionRules()])
      const valid = row && !row.revoked_at && row.active && new Date(row.expires_at) > opts.clock.now()
      const entry: CachedSession = {
        // Stamped when the read was sent: what it saw is at least that old.
        at: nowMs,
        clockAt: clockMs,
        principal: valid ? toPrincipal(row, rules, opts.clock.now()) : null,
      }
      if (forgetsBefore !== forgets) return entry
      if (cache.size > 50_000) cache.clear()
      cache.set(sessionId, entry)
      return entry
    }

    /** Records activity for the idle limit, at most once a minute per session (by the app's clock). */
    async function touch(sessionId: string) {
      const now = opts.clock.now()
      const last = touched.get(sessionId)
      if (last !== undefined && now.getTime() - last < TOUCH_EVERY_MS && now.getTime() >= last) return
      if (touched.size > 50_000) touched.clear()
      touched.set(sessionId, now.getTime())
      await sessionTouches.load(sessionId)
    }

    app.decorate('lastActivity', (sessionId: string) => {
      const at = touched.get(sessionId)
      return at === undefined ? undefined : new Date(at)
    })

    const forgottenListeners: ((filter: (p: Principal) => boolean) => void)[] = []
    app.decorate('forgetSessions', (filter: (p: Principal) => boolean) => {
      forgets++
      for (const [sid, entry] of cache) if (!entry.principal || filter(entry.principal)) cache.delete(sid)
      for (const listener of forgottenListeners) listener(filter)
    })
    app.decorate('onSessionsForgotten', (listener: (filter: (p: Principal) => boolean) => void) => {
      forgottenListeners.push(listener)
    })

    app.decorate('currentPrincipals', async (sessionIds: string[]) => {
      const rows = await findSessionPrincipals(app.db, sessionIds)
      const now = opts.clock.now()
      const rules = await sessionRules()
      return new Map(
        rows
          .filter((r) => !r.revoked_at && r.active && new Date(r.expires_at) > now)
          .map((r) => [r.session_id, toPrincipal(r, rules, now)]),
      )
    })

    async function resolveToken(token: string): Promise<CachedSession & { principal: Principal }> {
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
      const session = await loadSession(payload.sid)
      if (!session.principal || session.principal.userId !== payload.sub) throw unauthorized('登录已失效，请重新登录')
      return session as CachedSession & { principal: Principal }
    }

    // A socket is held back exactly as a route that admits no held-back session would be.
    app.decorate('principalFromToken', async (token: string) => {
      const { principal } = await resolveToken(token)
      const held = heldBack(principal)
      if (held) throw held
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
      const session = await resolveToken(header.slice(7))
      request.principal = session.principal
      // Recorded, not waited for: the idle limit counts minutes, and this write (once a minute per
      // session, through the shared pool) was half the time of the slowest 1 % of saves on exam day.
      touch(session.principal.sessionId).catch((err) => request.log.warn({ err }, 'session touch failed'))
      const held = heldBack(request.principal, config)
      if (held) throw held
      if (request.principal.role === 'auditor') return // a route that admits auditors names them
      if (!roleAtLeast(request.principal.role, MIN_ROLE[access])) throw forbidden()
    })
  },
)

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

/**
 * Why a signed-in session may not use a route or a socket yet: a password to change (imported or
 * expired), an auditor (she reads the audit log and nothing else), an admin the policy requires to
 * use TOTP whose session has none. A route admits each case only by naming it in its config (the
 * pages that resolve it); a socket names none, so it is refused in every case — its live boards,
 * monitors and contests are never such a page. null: nothing holds the session back.
 */
export function heldBack(principal: Principal, admits: FastifyContextConfig = {}): AppError | null {
  if (principal.mustChangePassword && !admits.allowPendingPasswordChange) {
    return new AppError(403, 'PASSWORD_CHANGE_REQUIRED', '首次登录请先修改密码')
  }
  if (principal.role === 'auditor') return admits.allowAuditor ? null : forbidden('审计员账号只能查看审计日志')
  if (principal.mustSetUpTotp && !admits.allowPendingTotp) {
    return new AppError(403, 'TOTP_SETUP_REQUIRED', '管理员须先启用双因素认证（动态口令）')
  }
  return null
}

/**
 * The session as the rules see it now. An expired password (when the policy sets an age) must be
 * changed like an imported one; a password never changed is as old as its account (first-start and
 * demo accounts, or any row written without the date). An admin without TOTP, when the policy
 * requires it, may only set it up.
 */
function toPrincipal(row: SessionPrincipalRow, rules: SessionRules, now: Date): Principal {
  const changed = new Date(row.password_changed_at ?? row.user_created_at).getTime()
  const expired = rules.passwordMaxDays > 0 && now.getTime() - changed > rules.passwordMaxDays * 86_400_000
  return {
    userId: row.user_id,
    sessionId: row.session_id,
    username: row.username,
    name: row.name,
    role: row.role,
    orgId: row.org_id,
    orgPath: row.org_path,
    mustChangePassword: row.must_change_password || expired,
    mustSetUpTotp: row.role === 'admin' && !row.totp_enabled && rules.totpRequiredForAdmins,
  }
}
