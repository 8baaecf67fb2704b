// Battle socket handlers. Every event passed the per-socket flood guard before it gets here;
// joining and inviting (which touch queues) also spend from a slower bucket of their own. The
// socket's own process checks the event's shape, then the games home runs it (here, or forwarded).
// A handler only ever touches the caller's own queue entry or seat: a battle id that is not hers
// answers exactly like one that does not exist.
import type { FastifyInstance } from 'fastify'
import { userRoom, type RealtimeSocket } from '../../plugins/realtime.js'
import { TokenBucket } from '../../realtime/flood-guard.js'
import type { BattleMode } from '../../realtime/events-map.js'
import type { GameCaller, GamesHome } from '../../realtime/games-home.js'
import { AppError } from '../../lib/errors.js'
import type { Deps } from '../../lib/deps.js'
import type { ExamCatalog } from '../exams/index.js'
import { BattleRuntime, departmentOf, NOT_YOURS } from './runtime.js'
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

export function registerBattles(app: FastifyInstance, { exams, games }: { exams: ExamCatalog; games: GamesHome }) {
  const runtime = new BattleRuntime(app.deps, app.io, lockedByExams(app.deps, exams))
  runtimes.set(app, runtime)
  app.addHook('onClose', async () => runtime.close())
  games.onStepDown(() => runtime.forget())

  // At the games home: what each event does.
  games.handle('battle:join', '无法加入匹配', (caller, { mode, scope, invite }) => runtime.join(caller, mode, scope, invite))
  games.handle('battle:invite', '无法发起邀请', (caller, { mode, userId }) => invite(app.deps, runtime, app.io, caller, mode, userId))
  games.handle('battle:leave', '操作失败', (caller) => runtime.leave(caller))
  games.handle('battle:answer', '作答失败', (caller, { battleId, index, answer }) => runtime.answer(caller, battleId, index, answer))
  games.handle('battle:resume', NOT_YOURS, (caller, { battleId }) => {
    if (!runtime.resume(caller, battleId)) throw new AppError(404, 'NOT_FOUND', NOT_YOURS)
  })
  games.onNotice((notice, caller) => {
    // A player back within the grace period is seated again at once.
    if (notice === 'connected') runtime.resume(caller)
    else runtime.disconnected(caller)
  })

  // On the socket's own process: limits and shapes, then the home.
  app.io.on('connection', (socket: RealtimeSocket) => {
    const queueBucket = new TokenBucket(QUEUE_BURST, QUEUE_PER_SECOND)
    const canPlay = () => socket.data.principal.role !== 'auditor'

    socket.on('battle:join', async (payload, ack) => {
      if (!queueBucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
      if (!canPlay()) return ack?.({ ok: false, error: '该账号不能参加对战' })
      const mode = payload?.mode
      if (!MODES.has(mode)) return ack?.({ ok: false, error: 'mode 无效（duel 或 four）' })
      const scope = payload?.scope === 'branch' ? 'branch' : 'department'
      const invite = typeof payload?.invite === 'string' && payload.invite ? payload.invite.slice(0, 32) : undefined
      ack?.(await games.call(socket, 'battle:join', { mode, scope, invite }))
    })

    socket.on('battle:invite', async (payload, ack) => {
      if (!queueBucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
      if (!canPlay()) return ack?.({ ok: false, error: '该账号不能参加对战' })
      const mode = payload?.mode
      if (!MODES.has(mode)) return ack?.({ ok: false, error: 'mode 无效（duel 或 four）' })
      const userId = payload?.userId
      if (userId !== undefined && (!isId(userId) || userId === socket.data.principal.userId))
        return ack?.({ ok: false, error: 'userId 无效' })
      ack?.(await games.call(socket, 'battle:invite', { mode, userId }))
    })

    socket.on('battle:leave', async (_payload, ack) => {
      if (!queueBucket.take()) return ack?.({ ok: false, error: '操作过于频繁，请稍后再试' })
      ack?.(await games.call(socket, 'battle:leave', {}))
    })

    socket.on('battle:answer', async (payload, ack) => {
      if (!isId(payload?.battleId) || !Number.isInteger(payload?.index) || payload.index < 0) {
        return ack?.({ ok: false, error: 'battleId 或 index 无效' })
      }
      const { battleId, index, answer } = payload
      ack?.(await games.call(socket, 'battle:answer', { battleId, index, answer }))
    })

    socket.on('battle:resume', async (payload, ack) => {
      if (!isId(payload?.battleId)) return ack?.({ ok: false, error: 'battleId 无效' })
      ack?.(await games.call(socket, 'battle:resume', { battleId: payload.battleId }))
    })
  })
  return runtime
}

/**
 * A private match: the inviter waits in it, and a named colleague (of her department) is told on
 * every socket she has open, wherever it is connected.
 */
async function invite(
  deps: Deps,
  runtime: BattleRuntime,
  io: FastifyInstance['io'],
  caller: GameCaller,
  mode: BattleMode,
  userId?: number,
) {
  const me = caller.principal
  let inviteeId: number | undefined
  if (userId !== undefined) {
    const row = await deps.db
      .selectFrom('users')
      .innerJoin('orgs', 'orgs.id', 'users.org_id')
      .select(['users.id', 'orgs.path'])
      .where('users.id', '=', userId)
      .where('users.active', '=', true)
      .executeTakeFirst()
    if (!row || !row.path.startsWith(departmentOf(me.orgPath))) throw new AppError(403, 'FORBIDDEN', '只能邀请本单位的同事')
    inviteeId = row.id
  }
  const code = runtime.invite(caller, mode)
  if (inviteeId !== undefined) {
    // The invitation names her as any battle would: by name only with her consent, and her unit.
    const card = (await playerCards(deps.db, [me])).get(me.userId)!
    io.to(userRoom(inviteeId)).emit('battle:invited', { code, mode, from: seenBy(inviteeId, { ...me, card }) })
  }
  return { code }
}
