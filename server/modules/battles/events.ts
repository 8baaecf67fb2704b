// Battle socket handlers. Every event passed the per-socket flood guard before it gets here;
// joining and inviting (which touch queues) also spend from a slower bucket of their own. A
// handler only ever touches the caller's own queue entry or seat: a battle id that is not hers
// answers exactly like one that does not exist.
import type { FastifyInstance } from 'fastify'
import type { RealtimeSocket } from '../../plugins/realtime.js'
import { ackError, TokenBucket } from '../../realtime/flood-guard.js'
import type { BattleMode } from '../../realtime/events-map.js'
import type { ExamCatalog } from '../exams/index.js'
import { BattleRuntime, departmentOf, NOT_YOURS, sendTo } from './runtime.js'
import { lockedByExams } from './locked.js'
import { playerCards, seenBy } from './names.js'

const MODES = new Set<BattleMode>(['duel', 'four'])
/** Joins, leaves and invites per socket: a burst of 6, then one every 2 seconds. */
const QUEUE_BURST = 6
const QUEUE_PER_SECOND = 0.5

const runtimes = new WeakMap<FastifyInstance, BattleRuntime>()

/** This app's battle runtime (tests shorten its timing). */
export function battleRuntimeOf(app: FastifyInstance): BattleRuntime | undefined {
  return runtimes.get(app)
}

const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 2147483647

export function registerBattles(app: FastifyInstance, { exams }: { exams: ExamCatalog }) {
  const runtime = new BattleRuntime(app.deps, app.io, lockedByExams(app.deps, exams))
  runtimes.set(app, runtime)
  app.addHook('onClose', async () => runtime.close())

  app.io.on('connection', (socket: RealtimeSocket) => {
    const queueBucket = new TokenBucket(QUEUE_BURST, QUEUE_PER_SECOND)
    const canPlay = () => socket.data.principal.role !== 'auditor'
    // A player back within the grace period is seated again at once.
    runtime.resume(socket)

    socket.on('battle:join', (payload, ack) => {
      try {
        if (!queueBucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
        if (!canPlay()) return ack?.({ ok: false, error: '该账号不能参加对战' })
        const mode = payload?.mode
        if (!MODES.has(mode)) return ack?.({ ok: false, error: 'mode 无效（duel 或 four）' })
        const scope = payload?.scope === 'branch' ? 'branch' : 'department'
        const invite = typeof payload?.invite === 'string' && payload.invite ? payload.invite.slice(0, 32) : undefined
        ack?.({ ok: true, ...runtime.join(socket, mode, scope, invite) })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err, '无法加入匹配') })
      }
    })

    socket.on('battle:invite', async (payload, ack) => {
      try {
        if (!queueBucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
        if (!canPlay()) return ack?.({ ok: false, error: '该账号不能参加对战' })
        const mode = payload?.mode
        if (!MODES.has(mode)) return ack?.({ ok: false, error: 'mode 无效（duel 或 four）' })
        const me = socket.data.principal
        let invitee: { id: number; orgPath: string } | undefined
        if (payload?.userId !== undefined) {
          if (!isId(payload.userId) || payload.userId === me.userId) return ack?.({ ok: false, error: 'userId 无效' })
          const row = await app.db
            .selectFrom('users')
            .innerJoin('orgs', 'orgs.id', 'users.org_id')
            .select(['users.id', 'orgs.path'])
            .where('users.id', '=', payload.userId)
            .where('users.active', '=', true)
            .executeTakeFirst()
          if (!row || !row.path.startsWith(departmentOf(me.orgPath))) return ack?.({ ok: false, error: '只能邀请本单位的同事' })
          invitee = { id: row.id, orgPath: row.path }
        }
        const code = runtime.invite(socket, mode)
        if (invitee) {
          const theirs = [...app.io.of('/').sockets.values()].filter((s) => s.data.principal?.userId === invitee.id).map((s) => s.id)
          // The invitation names her as any battle would: by name only with her consent, and her unit.
          const card = (await playerCards(app.db, [me])).get(me.userId)!
          sendTo(app.io, theirs).emit('battle:invited', { code, mode, from: seenBy(invitee.id, { ...me, card }) })
        }
        ack?.({ ok: true, code })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err, '无法发起邀请') })
      }
    })

    socket.on('battle:leave', (_payload, ack) => {
      if (!queueBucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
      runtime.leave(socket)
      ack?.({ ok: true })
    })

    socket.on('battle:answer', (payload, ack) => {
      try {
        if (!isId(payload?.battleId) || !Number.isInteger(payload?.index) || payload.index < 0) {
          return ack?.({ ok: false, error: 'battleId 或 index 无效' })
        }
        runtime.answer(socket, payload.battleId, payload.index, payload.answer)
        ack?.({ ok: true })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err, '作答失败') })
      }
    })

    socket.on('battle:resume', (payload, ack) => {
      if (!isId(payload?.battleId)) return ack?.({ ok: false, error: 'battleId 无效' })
      ack?.(runtime.resume(socket, payload.battleId) ? { ok: true } : { ok: false, error: NOT_YOURS })
    })

    socket.on('disconnect', () => runtime.disconnected(socket))
  })
  return runtime
}
