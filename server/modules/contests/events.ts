// Contest socket handlers. Every event passed the per-socket flood guard first; joining and
// hosting (which read the database) also spend from a slower bucket of their own. The socket's own
// process checks the event's shape, then the games home runs it (here, or forwarded). A player acts
// only in a contest she joined on this socket; a host only in the contest she opened on it.
import type { FastifyInstance } from 'fastify'
import type { RealtimeSocket } from '../../plugins/realtime.js'
import { TokenBucket } from '../../realtime/flood-guard.js'
import type { GamesHome } from '../../realtime/games-home.js'
import { questionsLockedInSubtree, type ExamCatalog } from '../exams/index.js'
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

export function registerContests(app: FastifyInstance, { games, exams }: { games: GamesHome; exams: ExamCatalog }) {
  const runtime = new ContestRuntime(app.deps, app.io, (orgPath) => questionsLockedInSubtree(app.deps, exams, orgPath))
  runtimes.set(app, runtime)
  app.addHook('onClose', async () => runtime.close())
  games.onStepDown(() => runtime.close())

  // A contest cancelled over HTTP on this process: stop it here if this is the games home, and tell
  // the other processes (one of them may be). Each process stops only what it runs.
  const onCancelled = (contestId: number) => {
    runtime.cancelled(contestId)
    if (app.realtimeClustered) app.io.serverSideEmit('contest:cancelled', contestId)
  }
  app.deps.events.on('contest:cancelled', onCancelled)
  app.addHook('onClose', async () => {
    app.deps.events.off('contest:cancelled', onCancelled)
  })
  app.io.on('contest:cancelled', (contestId: number) => runtime.cancelled(contestId))

  // At the games home: what each event does.
  games.handle('contest:join', '无法加入竞答', (caller, { pin }) => runtime.join(caller, pin))
  games.handle('contest:host', '无法主持竞答', (caller, { contestId }) => runtime.host(caller, contestId))
  games.handle('contest:next', '操作失败', (caller, { contestId }) => runtime.next(caller, contestId))
  games.handle('contest:answer', '作答失败', (caller, { contestId, index, answer }) => runtime.answer(caller, contestId, index, answer))
  games.onNotice((notice, caller) => {
    if (notice === 'disconnected') runtime.disconnected(caller)
  })

  // On the socket's own process: limits and shapes, then the home.
  app.io.on('connection', (socket: RealtimeSocket) => {
    const bucket = new TokenBucket(JOIN_BURST, JOIN_PER_SECOND)

    socket.on('contest:join', async (payload, ack) => {
      if (!bucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
      const pin = String(payload?.pin ?? '').trim()
      if (!PIN.test(pin)) return ack?.({ ok: false, error: '请输入 6 位数字竞答码' })
      ack?.(await games.call(socket, 'contest:join', { pin }))
    })

    socket.on('contest:host', async (payload, ack) => {
      if (!bucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
      if (!isId(payload?.contestId)) return ack?.({ ok: false, error: 'contestId 无效' })
      ack?.(await games.call(socket, 'contest:host', { contestId: payload.contestId }))
    })

    socket.on('contest:next', async (payload, ack) => {
      if (!isId(payload?.contestId)) return ack?.({ ok: false, error: 'contestId 无效' })
      ack?.(await games.call(socket, 'contest:next', { contestId: payload.contestId }))
    })

    socket.on('contest:answer', async (payload, ack) => {
      if (!isId(payload?.contestId) || !Number.isInteger(payload?.index) || payload.index < 0)
        return ack?.({ ok: false, error: 'contestId 或 index 无效' })
      const { contestId, index, answer } = payload
      ack?.(await games.call(socket, 'contest:answer', { contestId, index, answer }))
    })
  })
  return runtime
}
