// Contest socket handlers. Every event passed the per-socket flood guard first; joining and
// hosting (which read the database) also spend from a slower bucket of their own. A player acts
// only in a contest she joined on this socket; a host only in the contest she opened on it.
import type { FastifyInstance } from 'fastify'
import type { RealtimeSocket } from '../../plugins/realtime.js'
import { ackError, TokenBucket } from '../../realtime/flood-guard.js'
import { ContestRuntime } from './runtime.js'

const JOIN_BURST = 5
const JOIN_PER_SECOND = 0.5
const PIN = /^\d{6}$/

const runtimes = new WeakMap<FastifyInstance, ContestRuntime>()

/** This app's contest runtime (tests shorten its timing). */
export function contestRuntimeOf(app: FastifyInstance): ContestRuntime | undefined {
  return runtimes.get(app)
}

const isId = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= 2147483647

export function registerContests(app: FastifyInstance) {
  const runtime = new ContestRuntime(app.deps, app.io)
  runtimes.set(app, runtime)
  app.addHook('onClose', async () => runtime.close())

  app.io.on('connection', (socket: RealtimeSocket) => {
    const bucket = new TokenBucket(JOIN_BURST, JOIN_PER_SECOND)

    socket.on('contest:join', async (payload, ack) => {
      try {
        if (!bucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
        const pin = String(payload?.pin ?? '').trim()
        if (!PIN.test(pin)) return ack?.({ ok: false, error: '请输入 6 位数字竞答码' })
        ack?.({ ok: true, ...(await runtime.join(socket, pin)) })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err, '无法加入竞答') })
      }
    })

    socket.on('contest:host', async (payload, ack) => {
      try {
        if (!bucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
        if (!isId(payload?.contestId)) return ack?.({ ok: false, error: 'contestId 无效' })
        ack?.({ ok: true, ...(await runtime.host(socket, payload.contestId)) })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err, '无法主持竞答') })
      }
    })

    socket.on('contest:next', (payload, ack) => {
      try {
        if (!isId(payload?.contestId)) return ack?.({ ok: false, error: 'contestId 无效' })
        runtime.next(socket, payload.contestId)
        ack?.({ ok: true })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err, '操作失败') })
      }
    })

    socket.on('contest:answer', (payload, ack) => {
      try {
        if (!isId(payload?.contestId) || !Number.isInteger(payload?.index) || payload.index < 0)
          return ack?.({ ok: false, error: 'contestId 或 index 无效' })
        runtime.answer(socket, payload.contestId, payload.index, payload.answer)
        ack?.({ ok: true })
      } catch (err) {
        ack?.({ ok: false, error: ackError(err, '作答失败') })
      }
    })

    socket.on('disconnect', () => runtime.disconnected(socket))
  })
  return runtime
}
