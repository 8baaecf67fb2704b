// socket.io attached to Fastify's own HTTP server (fastify-socket.io needs Fastify 4), with the
// JWT checked in the handshake, sockets ended when their token expires, and — with REDIS_URL —
// the Redis adapter so rooms span every node.
import fp from 'fastify-plugin'
import { Server, type Socket } from 'socket.io'
import { createAdapter } from '@socket.io/redis-adapter'
import { createClient } from 'redis'
import type { FastifyInstance } from 'fastify'
import type { Principal } from '../lib/scope.js'
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents } from '../realtime/events-map.js'

interface SocketData { principal: Principal }
export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
export type RealtimeSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>

declare module 'fastify' {
  interface FastifyInstance {
    io: RealtimeServer
    /** True when other nodes share rooms with this one (Redis adapter). */
    realtimeClustered: boolean
  }
}

export default fp<{ redisUrl?: string; redisKey?: string }>(async function realtimePlugin(app: FastifyInstance, opts) {
  const io: RealtimeServer = new Server(app.server, {
    path: '/socket.io',
    serveClient: false,
    // Keep memory per connection low (DESIGN: ~16 KB each); we never read the raw request later.
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
  }

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown })?.token
    if (typeof token !== 'string' || !token) return next(new Error('UNAUTHORIZED'))
    try {
      socket.data.principal = await app.principalFromToken(token)
      if (socket.data.principal.mustChangePassword) return next(new Error('PASSWORD_CHANGE_REQUIRED'))
      const exp = (app.jwt.decode<{ exp?: number }>(token)?.exp ?? 0) * 1000
      const ttl = exp - Date.now()
      // A long-lived socket must not outlive its token: tell the client, then hang up.
      const timer = setTimeout(() => {
        socket.emit('auth:expired')
        socket.disconnect(true)
      }, Math.max(0, Math.min(ttl, 2 ** 31 - 1)))
      socket.once('disconnect', () => clearTimeout(timer))
      // The raw request holds headers and buffers we never need again.
      ;(socket.conn as unknown as { request?: unknown }).request = undefined
      next()
    } catch {
      next(new Error('UNAUTHORIZED'))
    }
  })

  app.decorate('io', io)
  app.decorate('realtimeClustered', clustered)
  // Open websockets would keep the HTTP server from closing: end them first.
  app.addHook('preClose', async () => {
    io.local.disconnectSockets(true)
  })
  app.addHook('onClose', async () => {
    await new Promise<void>((resolve) => io.close(() => resolve()))
    await Promise.all(redisClients.map((c) => c.quit().catch(() => {})))
  })
})
