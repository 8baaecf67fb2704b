// More than one accepting handle on the same listening socket, in each server process.
//
// Why: libuv (1.45 and later; Node 20 ships 1.46) accepts at most one connection per listening handle
// per event-loop turn. A worker busy with thousands of sockets turns every 5–60 ms, so it takes in
// 20–200 new connections a second however many are waiting, and 20,000 phones opening the exam at
// 9:00 wait in the kernel's queue until their connect times out. A worker holding N handles on the
// same socket (each its own file descriptor, all one queue in the kernel) accepts up to N a turn.
// Node ≥ 22.12's `reusePort` would give each worker its own queue instead; Node 20 has only this.
//
// How: every handle passed over an IPC channel arrives as a new descriptor (SCM_RIGHTS). A process
// sends its listening handle to its peer, and the peer sends it back `count` times, so the process
// ends up with `count` more descriptors of the same socket. In a cluster the peer is the primary:
// with node:cluster's shared-handle scheduling (SCHED_NONE) each worker listens on its own
// descriptor of the one socket the primary bound. A single server process (WORKERS=1, the embedded
// PGlite) has no peer, so it forks a helper for the moment (listener-copier.mjs) — a process cannot
// pass a descriptor to itself. The peer sends the raw handle back, not a net.Server: a net.Server
// arriving in a process starts accepting there. A connection a copy accepts is handed to the HTTP
// server and counted as the server's own, so a graceful stop waits for it like for any other.
import { fork, type ChildProcess } from 'node:child_process'
import cluster from 'node:cluster'
import type { EventEmitter } from 'node:events'
import type { Server as HttpServer } from 'node:http'
import net from 'node:net'
import { fileURLToPath } from 'node:url'

const REQUEST = 'xuece:listener-copies'
const COPY = 'xuece:listener-copy'

interface CopiesRequest {
  cmd: typeof REQUEST
  count: number
}

/**
 * The other end of an IPC channel: a cluster worker or a forked child as their parent sees them, or
 * this process as its parent's child (`process`).
 */
export type IpcPeer = EventEmitter & { send?(message: object, handle: net.Server, callback: (error: Error | null) => void): boolean }

/** Peer side: answers each copies request arriving from `peer` with the copies it asked for (the primary installs it once per fork). */
export function serveListenerCopies(peer: IpcPeer): void {
  peer.on('message', (message: CopiesRequest, handle?: { close(): void }) => {
    if (message?.cmd !== REQUEST || !handle) return
    // This process's own descriptor of what it received is only a carrier: close it once all are
    // sent — or once the peer is gone, whose unsent copies Node then drops without a callback.
    let closed = false
    const closeCarrier = () => {
      if (!closed) handle.close()
      closed = true
    }
    peer.once('disconnect', closeCarrier)
    const sends = Array.from(
      { length: message.count },
      () => new Promise<void>((resolve) => peer.send!({ cmd: COPY }, handle as net.Server, () => resolve())),
    )
    void Promise.all(sends).then(() => {
      peer.off('disconnect', closeCarrier)
      closeCarrier()
    })
  })
}

/**
 * The peer of a single server process: a helper child that answers one copies request. Disconnect
 * it once the copies arrived, and it leaves (a child that fails to start disconnects by itself).
 */
export function forkListenerCopier(): ChildProcess {
  // No inherited flags (--inspect, loaders): from the sources the helper registers tsx itself.
  return fork(fileURLToPath(new URL('./listener-copier.mjs', import.meta.url)), [], {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
}

/** Node's own bookkeeping: a net.Server counts its connections to know when it is drained, and a socket names the server that counts it. */
type Counting = net.Server & { _connections: number }

export interface CopiesOptions {
  /** Who sends the copies: `process` in a cluster worker (its primary), else a forkListenerCopier(). */
  peer: IpcPeer
  /** How many more handles. */
  count: number
  /** The server's own accept-queue length (listen(2) on the shared socket sets it for all). */
  backlog: number
  /** An error of a copy once it listens (accept failing, e.g. out of file descriptors): reported, not thrown. */
  onError(err: Error): void
  timeoutMs?: number
}

/**
 * Server side: `count` more handles on the socket `server` listens on, each handing what it accepts
 * to `server` as if `server` had accepted it (the 'connection' event is how Node's HTTP server is
 * given a socket). Resolves once they listen (within `timeoutMs`), with the function that stops
 * them accepting (call it before the server closes).
 */
export async function acceptOnListenerCopies(
  server: HttpServer,
  { peer, count, backlog, onError, timeoutMs = 30_000 }: CopiesOptions,
): Promise<() => void> {
  if (count < 1) return () => {}
  // Under round-robin a worker's handle is a stand-in the primary feeds; there is nothing to copy.
  if (cluster.isWorker && cluster.schedulingPolicy !== cluster.SCHED_NONE)
    throw new Error('listener copies need the workers to share the listening socket (cluster.SCHED_NONE)')
  // Fastify's server listens on a handle of its own; that handle is what the primary copies.
  const own = (server as unknown as { _handle?: object })._handle
  if (!own) throw new Error('the server must listen before it can be copied')
  const copies: net.Server[] = []
  const stop = () => copies.forEach((copy) => copy.close())
  const owner = server as unknown as Counting
  const adopt = (copy: net.Server) => (socket: net.Socket) => {
    // Counted as `server`'s own connection, not the copy's: `server.close()` (a graceful stop) waits
    // until its connections are gone, and a socket counted on the copy would be left out — the worker
    // would close its database under requests still running on it. (The HTTP server sets the
    // socket's public `server` itself.)
    ;(copy as unknown as Counting)._connections--
    owner._connections++
    ;(socket as unknown as { _server: Counting })._server = owner
    server.emit('connection', socket)
  }
  let listening = 0
  let onCopy: (message: { cmd?: string }, handle?: object) => void = () => {}
  let onGone = () => {}
  let timer: NodeJS.Timeout | undefined
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`listener copies: ${listening} of ${count} arrived in ${timeoutMs} ms`)), timeoutMs)
      onGone = () => reject(new Error(`listener copies: the peer left after ${listening} of ${count}`))
      peer.once('disconnect', onGone)
      onCopy = (message, handle) => {
        if (message?.cmd !== COPY || !handle) return
        // The same socket options as Node's HTTP server gives its own connections.
        const copy = net.createServer({ allowHalfOpen: true, noDelay: true })
        copy.on('connection', adopt(copy))
        copies.push(copy)
        copy.once('error', reject)
        // listen(2) again on a listening socket only sets its queue length: keep the server's.
        copy.listen(handle, backlog, () => {
          copy.off('error', reject)
          copy.on('error', onError)
          if (++listening === count) resolve()
        })
      }
      peer.on('message', onCopy)
      peer.send!({ cmd: REQUEST, count } satisfies CopiesRequest, own as net.Server, (err) => err && reject(err))
    })
  } catch (err) {
    stop()
    throw err
  } finally {
    // A copy arriving after a timeout is left unused; the worker serves on the handles it has.
    clearTimeout(timer)
    peer.off('message', onCopy)
    peer.off('disconnect', onGone)
  }
  return stop
}
