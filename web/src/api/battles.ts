// 双人对战 / 四人赛: the day's rules and standing over REST; the game itself over the socket.
import { get } from './client'
import { getSocket } from './realtime'
import type { BattleTodayDto, ColleagueDto } from '../../../server/modules/battles/schemas'
import type { BattleMode, BattleState, LiveQuestion, LiveRankRow, LivePlayer } from '../../../server/realtime/events-map'

export type { BattleMode, BattleState, LiveQuestion, LiveRankRow, LivePlayer }
export type BattleToday = BattleTodayDto
export type Colleague = ColleagueDto

const ACK_MS = 8_000

/** An ack's failure as an Error with the server's (Chinese) message. */
function unwrap<T extends { ok: boolean; error?: string }>(reply: T): T {
  if (!reply.ok) throw new Error(reply.error ?? '操作失败')
  return reply
}

export const battlesApi = {
  today: () => get<BattleToday>('/api/battles/today'),
  colleagues: () => get<Colleague[]>('/api/battles/colleagues'),
  join: async (mode: BattleMode, opts: { scope?: 'department' | 'branch'; invite?: string } = {}) =>
    unwrap(
      await getSocket()
        .timeout(ACK_MS)
        .emitWithAck('battle:join', { mode, ...opts }),
    ),
  invite: async (mode: BattleMode, userId?: number) =>
    unwrap(await getSocket().timeout(ACK_MS).emitWithAck('battle:invite', { mode, userId })) as { ok: true; code: string },
  leave: () =>
    getSocket()
      .timeout(ACK_MS)
      .emitWithAck('battle:leave', {})
      .catch(() => ({ ok: false })),
  answer: async (battleId: number, index: number, answer: unknown) =>
    unwrap(await getSocket().timeout(ACK_MS).emitWithAck('battle:answer', { battleId, index, answer })),
  resume: (battleId: number) =>
    getSocket()
      .timeout(ACK_MS)
      .emitWithAck('battle:resume', { battleId })
      .catch(() => ({ ok: false })),
}

export { unwrap as unwrapAck }
