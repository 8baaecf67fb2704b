// Live points leaderboards: rooms per (org, period, by); any award marks them dirty, and each node
// recomputes the boards its own watchers hold, at most a few times a second.
import type { FastifyInstance } from 'fastify'
import type { RealtimeSocket } from '../../plugins/realtime.js'
import { ackError, SOCKET_LIMITS, watchCount } from '../../realtime/flood-guard.js'
import { Coalescer } from '../../realtime/coalescer.js'
import type { PointsPeriod } from '../../realtime/events-map.js'
import { AppError } from '../../lib/errors.js'
import { boardOrg, boardRows } from './service.js'
import { findOrg } from '../orgs/index.js'
import { leaderboardMode } from '../privacy/index.js'

const PERIODS = new Set(['day', 'week', 'month', 'total'])
const roomOf = (orgId: number, period: string, by: string) => `points:${orgId}:${period}:${by}`
const parseRoom = (room: string) => {
  const m = /^points:(\d+):(day|week|month|total):(user|org)$/.exec(room)
  return m ? { orgId: Number(m[1]), period: m[2] as PointsPeriod, by: m[3] as 'user' | 'org' } : null
}

export function registerPointEvents(app: FastifyInstance) {
  const io = app.io

  // Pushes follow the same rules as the REST board: nothing while leaderboards are off, names
  // only with consent.
  async function board(orgId: number, period: PointsPeriod, by: 'user' | 'org') {
    const org = await findOrg(app.db, orgId)
    if (!org) return []
    try {
      return await boardRows(app.deps, org, period, by, 20)
    } catch (err) {
      if (err instanceof AppError && err.code === 'LEADERBOARDS_OFF') return []
      throw err
    }
  }

  const coalescer = new Coalescer<'all'>(500, async () => {
    for (const room of io.of('/').adapter.rooms.keys()) {
      const r = parseRoom(room)
      if (!r) continue
      try {
        io.local
          .to(room)
          .emit('points:leaderboard', { orgId: r.orgId, period: r.period, by: r.by, top: await board(r.orgId, r.period, r.by) })
      } catch (err) {
        app.log.warn({ err, room }, 'points push failed')
      }
    }
  })
  app.events.on('points:changed', () => {
    coalescer.mark('all')
    if (app.realtimeClustered) io.serverSideEmit('points:dirty')
  })
  io.on('points:dirty', () => coalescer.mark('all'))
  app.addHook('onClose', async () => coalescer.close())

  io.on('connection', (socket: RealtimeSocket) => {
    socket.on('points:watch', async (payload, ack) => {
      try {
        const period = String(payload?.period ?? 'day')
        const by = payload?.by === 'org' ? 'org' : 'user'
        if (!PERIODS.has(period)) return ack?.({ ok: false, error: 'period 无效' })
        const org = await boardOrg(app.db, socket.data.principal, payload?.orgId ?? null)
        await leaderboardMode(app.db) // leaderboards switched off: the watch is refused like the REST board
        const room = roomOf(org.id, period, by)
        if (!socket.rooms.has(room) && watchCount(socket) >= SOCKET_LIMITS.maxWatches) {
          return ack?.({ ok: false, error: `同一连接最多同时关注 ${SOCKET_LIMITS.maxWatches} 个榜单，请先取消其他关注` })
        }
        await socket.join(room)
        ack?.({ ok: true })
        socket.emit('points:leaderboard', {
          orgId: org.id,
          period: period as PointsPeriod,
          by,
          top: await board(org.id, period as PointsPeriod, by),
        })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err) })
      }
    })
    socket.on('points:unwatch', async (payload, ack) => {
      for (const room of socket.rooms) {
        const r = parseRoom(room)
        if (r && r.orgId === Number(payload?.orgId) && r.period === payload?.period) await socket.leave(room)
      }
      ack?.({ ok: true })
    })
  })
}
