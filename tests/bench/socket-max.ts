// One process of the socket autosave maximum (`--find-max`): each of its takers holds a socket and
// saves into her own open attempt over it (`attempt:save`, as the web app saves), waiting for each
// ack before the next save. A socket sends at most PER_SOCKET saves a second: the server's flood
// guard lets a socket save 20 a second (a phone saves a few a minute), so the offered load is raised
// by using more sockets, as more phones would, never by one socket saving faster than a phone may.
// Several of these run side by side (the orchestrator's steps), so no single client process is
// what saturates. Messages: the parent sends `init` (base, attempts), then `step`s, then `close`.
import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events-map.js'

/** An open attempt, its owner's token and its judge questions: what a saturation step saves into. */
export interface OpenAttempt {
  id: number
  token: string
  /** Judge questions of the attempt: each save answers one of them true or false. */
  q: number[]
}

export type SocketMaxCommand =
  { type: 'init'; base: string; attempts: OpenAttempt[] } | { type: 'step'; sockets: number; seconds: number } | { type: 'close' }

export type SocketMaxReply =
  | { type: 'connected'; sockets: number; failed: number }
  | { type: 'step-done'; latencies: number[]; errors: Record<string, number>; seconds: number }

/** Saves a second one socket sends at most: below the flood guard's 20, so no save is refused for pace. */
export const PER_SOCKET = 16
const ACK_TIMEOUT_MS = 10_000
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

type SaverSocket = Socket<ServerToClientEvents, ClientToServerEvents>
let sockets: { socket: SaverSocket; attempt: OpenAttempt }[] = []
const send = (m: SocketMaxReply) => process.send!(m)

async function connectAll(base: string, attempts: OpenAttempt[]) {
  let failed = 0
  sockets = []
  // Paced like the exam day's handshakes (a few hundred a second), so connecting is not the test.
  for (let i = 0; i < attempts.length; i += 50) {
    const batch = attempts.slice(i, i + 50)
    await Promise.all(
      batch.map(
        (attempt) =>
          new Promise<void>((resolve) => {
            const socket: SaverSocket = io(base, { transports: ['websocket'], auth: { token: attempt.token }, reconnection: false })
            socket.once('connect', () => {
              sockets.push({ socket, attempt })
              resolve()
            })
            socket.once('connect_error', () => {
              failed++
              resolve()
            })
          }),
      ),
    )
    await sleep(100)
  }
  send({ type: 'connected', sockets: sockets.length, failed })
}

async function step(count: number, seconds: number) {
  const latencies: number[] = []
  const errors: Record<string, number> = {}
  const fail = (cause: string) => (errors[cause] = (errors[cause] ?? 0) + 1)
  const started = Date.now()
  const end = started + seconds * 1000
  await Promise.all(
    sockets.slice(0, count).map(async ({ socket, attempt }, s) => {
      // Spread the sockets' first saves over one pace interval, so they do not all arrive at once.
      await sleep(Math.random() * (1000 / PER_SOCKET))
      let n = s
      while (Date.now() < end) {
        const sentAt = performance.now()
        const payload = { attemptId: attempt.id, questionId: attempt.q[n % attempt.q.length], answer: n % 2 === 0 }
        n++
        try {
          const ack = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('attempt:save', payload)
          if (ack.ok) latencies.push(performance.now() - sentAt)
          else fail(`${ack.status ?? ''} ${ack.code ?? ack.error}`.trim())
        } catch {
          fail(socket.connected ? 'no ack within 10 s' : 'socket dropped')
        }
        await sleep(1000 / PER_SOCKET - (performance.now() - sentAt))
      }
    }),
  )
  send({ type: 'step-done', latencies, errors, seconds: (Date.now() - started) / 1000 })
}

// Only as a forked child: the orchestrator imports this file's types and pace.
if (process.send)
  process.on('message', (m: SocketMaxCommand) => {
    if (m.type === 'init') void connectAll(m.base, m.attempts)
    if (m.type === 'step') void step(m.sockets, m.seconds)
    if (m.type === 'close') {
      sockets.forEach(({ socket }) => socket.close())
      process.exit(0)
    }
  })
