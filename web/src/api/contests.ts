// 现场竞答: staff create and read contests over REST; hosting and playing run over the socket.
import { download, get, post } from './client'
import { getSocket } from './realtime'
import { unwrapAck } from './battles'
import type { ContestCreateBody, ContestItemDto, ContestResultDto } from '../../../server/modules/contests/schemas'
import type { ContestState, ContestVoidReason, LiveQuestion, LiveRankRow } from '../../../server/realtime/events-map'

export type { ContestState, ContestVoidReason, LiveQuestion, LiveRankRow }
export type ContestInput = ContestCreateBody
export type Contest = ContestItemDto
export type ContestResult = ContestResultDto

const ACK_MS = 8_000

export const contestsApi = {
  create: (body: ContestInput) => post<{ id: number; pin: string }>('/api/contests', body),
  list: () => get<Contest[]>('/api/contests'),
  get: (id: number) => get<Contest>(`/api/contests/${id}`),
  results: (id: number) => get<ContestResult[]>(`/api/contests/${id}/results`),
  cancel: (id: number) => post<Contest>(`/api/contests/${id}/cancel`),
  exportXlsx: (c: Contest) => download(`/api/contests/${c.id}/export`, `现场竞答成绩-${c.title}.xlsx`),
  join: async (pin: string) =>
    unwrapAck(await getSocket().timeout(ACK_MS).emitWithAck('contest:join', { pin })) as { ok: true; contestId: number },
  host: async (contestId: number) =>
    unwrapAck(await getSocket().timeout(ACK_MS).emitWithAck('contest:host', { contestId })) as {
      ok: true
      pin: string
      players: number
      lockedAhead?: number[]
    },
  next: async (contestId: number) => unwrapAck(await getSocket().timeout(ACK_MS).emitWithAck('contest:next', { contestId })),
  answer: async (contestId: number, index: number, answer: unknown) =>
    unwrapAck(await getSocket().timeout(ACK_MS).emitWithAck('contest:answer', { contestId, index, answer })),
}

/** The link a phone opens (the QR code on the hall screen). */
export const joinLink = (pin: string) => `${location.origin}/contest?pin=${pin}`
