// Per-socket flood control. Every client event spends a token from its socket's bucket; an empty
// bucket refuses the event before any handler (or query) runs, answering its ack at once. A socket
// that keeps hammering after being refused is disconnected: honest clients send a few events a
// minute (watch, unwatch), so the limits sit far above them.
import type { RealtimeSocket } from '../plugins/realtime.js'
import { AppError } from '../lib/errors.js'

export const SOCKET_LIMITS = {
  /** Burst a socket may send at once (a page subscribing to several boards on load). */
  burst: 20,
  /** Sustained events per second. */
  perSecond: 5,
  /** Refused events (within one refill of the bucket) after which the socket is disconnected. */
  refusalsBeforeDisconnect: 50,
  /** Rooms one socket may watch at a time (exam and points boards together). */
  maxWatches: 10,
  /**
   * Autosaves have a bucket of their own: a taker back from a dead zone sends the answers she typed
   * meanwhile (the page sends eight at a time), and a save costs a cached check and one row in a
   * group commit, not a query of its own. A refused save does not count towards disconnecting: the
   * page sends it over HTTP instead, which takes saves without a limit of this kind anyway.
   */
  saves: { burst: 200, perSecond: 20 },
} as const

/** The event spending from the autosave bucket instead of the general one. */
const SAVE_EVENT = 'attempt:save'

export class TokenBucket {
  private tokens: number
  private last: number
  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity
    this.last = now()
  }

  take(): boolean {
    const t = this.now()
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond)
    this.last = t
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

export function guardSocket(socket: RealtimeSocket, log: (msg: string, extra: object) => void) {
  const bucket = new TokenBucket(SOCKET_LIMITS.burst, SOCKET_LIMITS.perSecond)
  const saves = new TokenBucket(SOCKET_LIMITS.saves.burst, SOCKET_LIMITS.saves.perSecond)
  let refusals = 0
  socket.use((packet, next) => {
    const isSave = packet[0] === SAVE_EVENT
    if ((isSave ? saves : bucket).take()) {
      if (!isSave) refusals = Math.max(0, refusals - 1)
      return next()
    }
    const [event] = packet
    const ack = packet[packet.length - 1]
    if (typeof ack === 'function') ack({ ok: false, error: '请求过于频繁，请稍后再试' })
    if (isSave) return
    refusals++
    if (refusals === 1) socket.emit('rate:limited', { event: String(event).slice(0, 40) })
    if (refusals >= SOCKET_LIMITS.refusalsBeforeDisconnect) {
      log('socket disconnected for flooding', { userId: socket.data.principal?.userId, event: String(event).slice(0, 40) })
      socket.disconnect(true)
    }
    // Not passed on: the handler never runs. (No error to next(): that would emit 'error' on the server socket.)
  })
}

/** Rooms this socket watches whose name starts with one of the board prefixes. */
export function watchCount(socket: RealtimeSocket): number {
  let n = 0
  for (const room of socket.rooms) if (room.startsWith('exam:') || room.startsWith('points:')) n++
  return n
}

/** A message safe to put in an ack: our own (Chinese) error messages, never raw database text. */
export function ackError(err: unknown, fallback = '无法订阅'): string {
  return err instanceof AppError && err.statusCode < 500 ? err.message : fallback
}
