// Live exam monitoring over socket.io. Pushes are a projection of the database: a change marks the
// exam dirty, and each node recomputes, at most a few times a second, the figures for the watcher
// rooms it holds — each room one scope (a secretary sees only her subtree).
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import { scopePrefix } from '../../lib/scope.js'
import type { RealtimeSocket } from '../../plugins/realtime.js'
import { ackError, SOCKET_LIMITS, watchCount } from '../../realtime/flood-guard.js'
import { Coalescer } from '../../realtime/coalescer.js'
import { leaderboardOpenToMembers, type ExamCatalog } from '../exams/index.js'
import { invitedByOrg, leaderboard, leaderboards, monitor, orgCounts, summarizeProgress, type OrgInvited } from './service.js'

const PUSH_INTERVAL_MS = 250
/** Shorter than the push interval: a peer's push waits for this message and then its own coalescer. */
const PEER_INTERVAL_MS = 100
const TOP_N = 10
const INVITED_TTL_MS = 15_000

/** Room of everyone watching exam `examId` with scope `scope`; members watch the leaderboard only. */
const roomOf = (examId: number, scope: string, leaderboardOnly: boolean) => `exam:${examId}:${leaderboardOnly ? 'lb' : 'scope'}:${scope}`

function parseRoom(room: string) {
  const m = /^exam:(\d+):(lb|scope):(.*)$/.exec(room)
  return m ? { examId: Number(m[1]), leaderboardOnly: m[2] === 'lb', scope: m[3] } : null
}

/**
 * `db` carries the pushes' reads: on PostgreSQL a connection of their own. On exam day the shared
 * pool's queue held up to 140 waiting statements during the start and submit waves, and a
 * secretary's counters read waited behind all of them (100–200 ms, measured in the bench).
 */
export function registerResultEvents(app: FastifyInstance, { exams, db }: { exams: ExamCatalog; db: Kysely<Database> }) {
  const io = app.io
  const deps = app.deps

  /**
   * Who is invited changes rarely (people join or move branches), and reading it means joining
   * every user of the audience: keep it a short while instead of reading it four times a second.
   */
  const invitedCache = new Map<number, { at: number; invited: OrgInvited[] }>()
  async function invitedOf(examId: number, audience: string[]) {
    const hit = invitedCache.get(examId)
    if (hit && Date.now() - hit.at < INVITED_TTL_MS) return hit.invited
    const invited = await invitedByOrg(db, audience, '/')
    invitedCache.set(examId, { at: Date.now(), invited })
    return invited
  }

  /**
   * A push reads the exam's counters (one row per org) once for every scope, sends each secretary
   * her figures, and only then reads the boards — every room's top 10 in one statement through the
   * board index, never the attempts themselves. Progress first: it is what a secretary watches
   * during the exam, and it should not wait behind the boards.
   */
  async function pushExam(examId: number) {
    const rooms = [...io.of('/').adapter.rooms.keys()].flatMap((r) => {
      const parsed = parseRoom(r)
      return parsed?.examId === examId ? [{ room: r, ...parsed }] : []
    })
    if (!rooms.length) return
    const found = await exams.withAudience(examId)
    if (!found) return
    const watching = rooms.filter((r) => !r.leaderboardOnly)
    if (watching.length) {
      const progress = { invited: await invitedOf(examId, found.audience), counts: await orgCounts(db, examId, '/') }
      for (const { room, scope } of watching) io.local.to(room).emit('exam:progress', { examId, ...summarizeProgress(progress, scope) })
    }
    const membersMaySee = leaderboardOpenToMembers(found.exam, deps.clock.now())
    const shown = rooms.filter((r) => !r.leaderboardOnly || membersMaySee)
    const boards = await leaderboards(
      db,
      examId,
      shown.map((r) => r.scope),
      TOP_N,
    )
    for (const { room, scope, leaderboardOnly } of rooms) {
      const hidden = leaderboardOnly && !membersMaySee
      io.local.to(room).emit('exam:leaderboard', { examId, top: hidden ? [] : (boards.get(scope) ?? []) })
    }
  }

  const coalescer = new Coalescer<number>(PUSH_INTERVAL_MS, async (examId) => {
    try {
      await pushExam(examId)
    } catch (err) {
      deps.log.warn({ err, examId }, 'exam push failed')
    }
  })

  // A change on this node: push here, and tell the other nodes (or workers) to push to their
  // watchers — coalesced too: every autosave is a change, and one message per save per peer would
  // cost more than the saves themselves at an exam day's rate.
  const tellPeers = new Coalescer<number>(PEER_INTERVAL_MS, async (examId) => {
    io.serverSideEmit('exam:dirty', examId)
  })
  const onChanged = (examId: number) => {
    coalescer.mark(examId)
    if (app.realtimeClustered) tellPeers.mark(examId)
  }
  deps.events.on('exam:changed', onChanged)
  io.on('exam:dirty', (examId: number) => coalescer.mark(examId))
  app.addHook('onClose', async () => {
    deps.events.off('exam:changed', onChanged)
    coalescer.close()
    tellPeers.close()
  })

  io.on('connection', (socket: RealtimeSocket) => {
    socket.on('exam:watch', async (payload, ack) => {
      try {
        const examId = Number(payload?.examId)
        if (!Number.isInteger(examId) || examId <= 0) return ack?.({ ok: false, error: 'examId 无效' })
        const principal = socket.data.principal
        const { exam, audience } = await exams.inScope(principal, examId)
        const leaderboardOnly = principal.role === 'member'
        const scope = leaderboardOnly ? '/' : scopePrefix(principal)
        const room = roomOf(examId, scope, leaderboardOnly)
        if (!socket.rooms.has(room) && watchCount(socket) >= SOCKET_LIMITS.maxWatches) {
          return ack?.({ ok: false, error: `同一连接最多同时关注 ${SOCKET_LIMITS.maxWatches} 个榜单，请先取消其他关注` })
        }
        await socket.join(room)
        ack?.({ ok: true })
        // The current state at once, so a (re)connected watcher is in sync without waiting.
        const direct = { emit: socket.emit.bind(socket) }
        if (!leaderboardOnly) direct.emit('exam:progress', { examId, ...(await monitor(deps.db, examId, audience, scope)) })
        const hidden = leaderboardOnly && !leaderboardOpenToMembers(exam, deps.clock.now())
        direct.emit('exam:leaderboard', { examId, top: hidden ? [] : await leaderboard(deps.db, examId, scope, TOP_N) })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err) })
      }
    })
    socket.on('exam:unwatch', async (payload, ack) => {
      for (const room of socket.rooms) if (parseRoom(room)?.examId === Number(payload?.examId)) await socket.leave(room)
      ack?.({ ok: true })
    })
  })
}
