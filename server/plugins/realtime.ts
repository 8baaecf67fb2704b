// socket.io attached to Fastify's own HTTP server (fastify-socket.io needs Fastify 4), with the
// JWT checked in the handshake, sockets ended when their token expires or their session ends,
// every client event rate-limited per socket, and — with REDIS_URL — the Redis adapter so rooms
// span every node.
import fp from 'fastify-plugin'
import { Server, type Socket } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import { createAdapter as createClusterAdapter } from '@socket.io/cluster-adapter'
import { createClient } from 'redis'
import type { FastifyInstance } from 'fastify'
import type { Principal } from '../lib/scope.js'
import { AppError } from '../lib/errors.js'
import { heldBack } from './auth.js'
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from '../realtime/events-map.js'
import { guardSocket } from '../realtime/flood-guard.js'
import type { GamesServerEvents } from '../realtime/games-home.js'

interface SocketData {
  principal: Principal
}

/** Handshake refusals named by their code: the session is valid but must first be put right over HTTP. */
const HELD_BACK_CODES = new Set(['PASSWORD_CHANGE_REQUIRED', 'TOTP_SETUP_REQUIRED'])

/** How often each node re-reads the sessions behind its sockets (ended elsewhere → disconnect). */
export const SESSION_RECHECK_MS = 5_000
type ServerSideEvents = InterServerEvents & GamesServerEvents
export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, ServerSideEvents, SocketData>

/** The room of every socket of one person, on whichever process or node it is connected. */
export const userRoom = (userId: number) => `user:${userId}`

declare module 'fastify' {
  interface FastifyInstance {
    io: RealtimeServer
    /** True when other nodes share rooms with this one (Redis adapter). */
    realtimeClustered: boolean
  }
}

export default fp<{ redisUrl?: string; redisKey?: string; clusterWorker?: boolean }>(async function realtimePlugin(
  app: FastifyInstance,
  opts,
) {
  const io: RealtimeServer = new Server(app.server, {
    path: '/socket.io',
    serveClient: false,
    // Workers of one machine each accept connections from the one listening socket, so the several
    // HTTP requests of a long-polling session would reach different workers. A websocket is one
    // connection, kept by the worker that accepted it: no sticky routing needed.
    ...(opts.clusterWorker && { transports: ['websocket' as const] }),
    // Keep memory per connection low (~16 KB each keeps 20,000 sockets near 300 MB); we never read the raw request later.
    cleanupEmptyChildNamespaces: true,
  })
  let clustered = false
  const redisClients: { quit(): Promise<unknown> }[] = []
  if (opts.redisUrl) {
    const pub = createClient({ url: opts.redisUrl })
    const sub = pub.duplicate()
    pub.on('error', (err) => app.log.warn({ err }, 'redis pub error'))
    sub.on('error', (err) => app.log.warn({ err }, 'redis sub error'))
    await Promise.all([pub.connect(), sub.connect()])
    io.adapter(createAdapter(pub, sub, { key: opts.redisKey ?? 'xuece' }))
    redisClients.push(pub, sub)
    clustered = true
  } else if (opts.clusterWorker) {
    // The workers of one machine share rooms through the cluster primary (setupPrimary in cluster.ts).
    io.adapter(createClusterAdapter())
    clustered = true
  }

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown })?.token
    if (typeof token !== 'string' || !token) return next(new Error('UNAUTHORIZED'))
    try {
      socket.data.principal = await app.principalFromToken(token)
      const exp = (app.jwt.decode<{ exp?: number }>(token)?.exp ?? 0) * 1000
      const ttl = exp - Date.now()
      // A long-lived socket must not outlive its token: tell the client, then hang up.
      const timer = setTimeout(
        () => {
          socket.emit('auth:expired')
          socket.disconnect(true)
        },
        Math.max(0, Math.min(ttl, 2 ** 31 - 1)),
      )
      socket.once('disconnect', () => clearTimeout(timer))
      guardSocket(socket, (msg, extra) => app.log.warn(extra, msg))
      // The raw request holds headers and buffers we never need again.
      ;(socket.conn as unknown as { request?: unknown }).request = undefined
      next()
    } catch (err) {
      // A refused token is UNAUTHORIZED (the client refreshes it); a session held back (a password
      // to change, TOTP to set up) says so by its code, which no refresh fixes; anything else — the
      // database busy or briefly away — is UNAVAILABLE, which the client retries after a pause.
      // Calling a pool timeout UNAUTHORIZED had sent every such client to refresh its session in a wave.
      const refused = err instanceof AppError && (err.statusCode === 401 || err.statusCode === 403)
      if (!refused) app.log.warn({ err }, 'socket handshake failed')
      if (!refused) return next(new Error('UNAVAILABLE'))
      next(new Error(HELD_BACK_CODES.has(err.code) ? err.code : 'UNAUTHORIZED'))
    }
  })

  io.on('connection', (socket) => void socket.join(userRoom(socket.data.principal.userId)))

  app.decorate('io', io)
  app.decorate('realtimeClustered', clustered)

  // A session that ends (logout, password change, disabled, role or unit changed) ends its sockets:
  // at once on this node, and within SESSION_RECHECK_MS on the others, which re-read the sessions
  // of their sockets in one query.
  const endSocket = (socket: RealtimeSocket, stillValid: boolean) => {
    socket.emit(stillValid ? 'auth:expired' : 'session:ended')
    socket.disconnect(true)
  }
  app.onSessionsForgotten((filter) => {
    const affected = [...io.of('/').sockets.values()].filter((s) => s.data.principal && filter(s.data.principal))
    void recheckSockets(affected).catch((err) => app.log.warn({ err }, 'socket session recheck failed'))
  })
  const recheck = setInterval(() => {
    void recheckSockets([...io.of('/').sockets.values()]).catch((err) => app.log.warn({ err }, 'socket session recheck failed'))
  }, SESSION_RECHECK_MS)
  recheck.unref()
  /**
   * Ends each socket whose session is no longer valid or is now held back (a password expired, TOTP
   * newly required: the handshake's own rule), and refreshes those whose role or unit changed.
   */
  async function recheckSockets(candidates: RealtimeSocket[]) {
    const sockets = candidates.filter((s) => s.data.principal)
    if (!sockets.length) return
    const current = await app.currentPrincipals([...new Set(sockets.map((s) => s.data.principal.sessionId))])
    for (const socket of sockets) {
      const was = socket.data.principal
      const now = current.get(was.sessionId)
      if (!now || heldBack(now)) endSocket(socket, false)
      else if (now.role !== was.role || now.orgPath !== was.orgPath) endSocket(socket, true)
    }
  }

  app.addHook('preClose', async () => {
    io.local.disconnectSockets(true)
  })
  app.addHook('onClose', async () => {
    clearInterval(recheck)
    await new Promise<void>((resolve) => io.close(() => resolve()))
    await Promise.all(redisClients.map((c) => c.quit().catch(() => {})))
  })
})
