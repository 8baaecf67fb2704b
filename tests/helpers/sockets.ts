import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events-map.js'

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>

/** A real socket.io client over websocket; resolves once connected, rejects on connect_error. */
export function connect(baseUrl: string, token: string | undefined): Promise<ClientSocket> {
  const socket: ClientSocket = io(baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    auth: token ? { token } : {},
    reconnection: false,
    forceNew: true,
  })
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket))
    socket.once('connect_error', (err) => {
      socket.close()
      reject(err)
    })
  })
}

export function watchExam(socket: ClientSocket, examId: number) {
  return socket.timeout(5000).emitWithAck('exam:watch', { examId })
}

/** Records every event of the given names, with arrival times. */
export function record<E extends keyof ServerToClientEvents>(socket: ClientSocket, ...events: E[]) {
  const log: { event: E; at: number; payload: any }[] = []
  for (const e of events) socket.on(e as any, (payload: any) => log.push({ event: e, at: Date.now(), payload }))
  return log
}

export async function until<T>(fn: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const start = Date.now()
  for (;;) {
    const v = fn()
    if (v) return v
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}
