// One load-generator process: simulates its share of takers on exam day. Each taker holds a
// socket.io connection (opened at its slot of the paced connect schedule), (sometimes) logs in,
// starts the attempt on schedule, autosaves each answer at the configured pace and submits.
// Saves go as the web app sends them (useAutosave): over the taker's socket while it is connected,
// else over HTTP; `saveOver: 'http'` sends every save as an HTTP request (the app before 2026-12-05).
// In hold mode (a storm phase follows) takers who have saved their answers keep saving at the same
// pace until the orchestrator releases them; then they submit at the start rate, in start order.
// Latencies go back to the orchestrator over IPC.
// Connections: like a phone, each taker has an HTTP connection of its own, opened when the app
// opens (a first request, timed as "app open") and kept alive for the exam. A pool shared by a
// thousand takers opens connections only when latency rises, right when the server is busiest, and
// a busy Node accepts one new connection per event-loop turn: the pool's new connections then
// waited seconds in the accept queue and made the start p99. `sharedConnections` keeps that pool
// (for 20,000 takers, whose own connections would exceed the server's open-files limit).
import { io, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/events-map.js'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { Pool, interceptors, request, type Dispatcher } from 'undici'

export interface LoadgenConfig {
  base: string
  examId: number
  /** `address`: the loopback address the taker's phone connects from (its office's, addresses.ts). */
  takers: { username: string; password: string; token?: string; address: string }[]
  /** When taker i of this generator opens its socket and when it starts its attempt (ms since epoch). */
  connectAt: number[]
  startAt: number[]
  /** After release, taker i submits this long after the release (its place in the start order). */
  submitOffsetMs: number[]
  saveIntervalMs: number
  answersPerTaker: number
  /** Keep saving after the last answer until released (`{ type: 'release' }`). */
  hold: boolean
  /** One pool of 256 connections for all takers of this generator instead of one each. */
  sharedConnections: boolean
  /** How saves travel: over the socket while it is up (as the web app), or always over HTTP. */
  saveOver: 'socket' | 'http'
}

export interface LoadgenResult {
  /** Sampled logins, first try to signed in (waits included); how many were told 503 BUSY first. */
  login: number[]
  loginBusy: number
  /** Opening the app: a first request on the taker's own new connection (not with sharedConnections). */
  open: number[]
  start: number[]
  save: number[]
  /** With saveOver 'socket': saves sent over HTTP because the socket was down, dropped or refused them. */
  savesOverHttp: number
  /** When each save was sent (ms since epoch), index-aligned with `save`: for storm windows. */
  saveSent: number[]
  saveTimes: number[] // completion times of saves, for throughput over time
  submit: number[]
  errors: Record<string, number>
  /** Sockets opened (takers who signed in); of them, connected at the first try, after reconnecting, never. */
  opened: number
  connected: number
  connectedAfterRetry: number
  neverConnected: number
  /** Every `connect_error` by its cause (a socket retrying counts each failure). */
  connectErrors: Record<string, number>
  /** Disconnects before the end of the run, by reason. */
  disconnects: Record<string, number>
  /**
   * This process's own event-loop delay, each second: [ms since epoch, p99 ms]. A latency measured
   * here includes it, so it tells how much of a tail is the load generator's, not the server's.
   */
  loopDelay: [number, number][]
}

export type LoadgenMessage =
  | { type: 'loaded' } // imports done: the schedule may begin
  | { type: 'ready' } // this taker started (or failed to): it is in the exam
  | { type: 'submitted'; at: number }
  | { type: 'sockets'; open: number }
  | { type: 'done'; result: LoadgenResult }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
type TakerSocket = Socket<ServerToClientEvents, ClientToServerEvents>
/** As the web app: a save over the socket waits this long for its ack (or the socket's drop), then goes over HTTP. */
const SOCKET_ACK_MS = 60_000
const send = (m: LoadgenMessage) => process.send!(m)

/** A connect error's cause: the message, and what the transport said underneath (ECONNRESET, 503…). */
export function connectCause(err: Error & { description?: unknown; context?: unknown; data?: unknown }): string {
  const d = err.description as { message?: string; error?: { code?: string; message?: string } } | number | string | undefined
  const under =
    typeof d === 'object' && d
      ? (d.error?.code ?? d.error?.message ?? d.message)
      : d !== undefined
        ? String(d) // the HTTP status of a refused handshake
        : (err.data as { message?: string } | undefined)?.message
  return (under ? `${err.message}: ${under}` : err.message).slice(0, 120)
}

let releasedAt: number | undefined
send({ type: 'loaded' })
process.on('message', async (msg: LoadgenConfig | { type: 'release'; at: number }) => {
  if ('type' in msg) {
    if (msg.type === 'release') releasedAt = msg.at
    return
  }
  const config = msg
  // Pools, not Agents: an Agent closes an origin's pool the moment its last connection drops or
  // fails, and requests already queued on it then fail as "client destroyed" (and through the
  // decompress interceptor, uncaught: it ended four generators of a 20,000-taker run). A Pool
  // reconnects, as a phone's browser does.
  const agents: Pool[] = []
  /**
   * With `sharedConnections`: 256 connections a generator, as before addresses (the open-files limit
   * of 20,000 a process allows no more at 20,000 takers), in 64 pools of 4, each bound to the office
   * address of the first taker who needs it. A pool per office (667 of them at 20,000 takers, in
   * every generator) opened ten times the connections, in the start wave, and starts timed out
   * connecting.
   */
  const sharedPools: Dispatcher[] = []
  const SHARED_POOLS = 64
  const sharedFrom = (i: number, localAddress: string) => {
    const k = i % SHARED_POOLS
    if (!sharedPools[k]) {
      const pool = new Pool(config.base, { connections: 4, keepAliveTimeout: 30_000, localAddress })
      agents.push(pool)
      sharedPools[k] = asPhone(pool)
    }
    return sharedPools[k]
  }
  const result: LoadgenResult = {
    login: [],
    loginBusy: 0,
    open: [],
    start: [],
    save: [],
    savesOverHttp: 0,
    saveSent: [],
    saveTimes: [],
    submit: [],
    errors: {},
    opened: 0,
    connected: 0,
    connectedAfterRetry: 0,
    neverConnected: 0,
    connectErrors: {},
    disconnects: {},
    loopDelay: [],
  }
  const count = (map: Record<string, number>, what: string) => (map[what] = (map[what] ?? 0) + 1)
  const error = (what: string) => count(result.errors, what)
  /**
   * Requests as a phone's browser sends them, compressed replies accepted: the server then brotli-
   * compresses what is over its threshold (a start's paper) as it would for the phones.
   */
  const asPhone = (agent: Pool): Dispatcher => agent.compose(interceptors.decompress())
  async function call(agent: Dispatcher, method: string, path: string, token: string | undefined, body?: unknown) {
    const res = await request(config.base + path, {
      method: method as 'POST',
      dispatcher: agent,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: {
        'accept-encoding': 'gzip, deflate, br',
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
      },
    })
    const json = (await res.body.json().catch(() => null)) as any
    const retryAfter = res.headers['retry-after']
    return { status: res.statusCode, body: json, retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter }
  }
  const sockets: TakerSocket[] = []
  const fates: { failed: boolean; connected: boolean; failedBeforeConnect: boolean }[] = []
  let open = 0
  let ending = false
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  const reporter = setInterval(() => {
    send({ type: 'sockets', open })
    result.loopDelay.push([Date.now(), Math.round(loop.percentile(99) / 1e5) / 10])
    loop.reset()
  }, 1000)

  await Promise.all(
    config.takers.map(async (taker, i) => {
      let inExam = false
      const ready = () => {
        if (inExam) return
        inExam = true
        send({ type: 'ready' })
      }
      const localAddress = taker.address
      const own = config.sharedConnections ? undefined : new Pool(config.base, { connections: 1, keepAliveTimeout: 120_000, localAddress })
      if (own) agents.push(own)
      const agent = own ? asPhone(own) : sharedFrom(i, localAddress)
      try {
        let token = taker.token
        if (!token) {
          await sleep(config.connectAt[i] - Date.now() - 1000)
          const t = performance.now()
          const login = () => call(agent, 'POST', '/api/auth/login', undefined, { username: taker.username, password: taker.password })
          let res = await login()
          // As the web client: a full hashing queue answers 503 + Retry-After; wait that × (1 + random).
          for (let tries = 0; res.status === 503 && res.retryAfter && tries < 5; tries++) {
            if (tries === 0) result.loginBusy++
            await sleep(Math.min(10, Number(res.retryAfter) || 2) * 1000 * (1 + Math.random()))
            res = await login()
          }
          if (res.status !== 200) return error(`login ${res.status}`)
          result.login.push(performance.now() - t)
          token = res.body.accessToken as string
        }
        // People open the app shortly before they start, not all at the same second; the connect
        // schedule is paced so that the server never sees more than --connect-rate handshakes a second.
        await sleep(config.connectAt[i] - Date.now())
        if (own && taker.token) {
          // The app opens: its first request opens the phone's connection.
          const t = performance.now()
          const me = await call(agent, 'GET', '/api/me', token)
          if (me.status !== 200) return error(`open ${me.status}`)
          result.open.push(performance.now() - t)
        }
        // `localAddress` goes through to the websocket (engine.io-client passes it on; not in its types).
        const socket: TakerSocket = io(config.base, {
          transports: ['websocket'],
          auth: { token },
          reconnectionDelay: 1000,
          localAddress,
        } as Parameters<typeof io>[1])
        sockets.push(socket)
        result.opened++
        // Each socket is classified once, at the end of the run, from what happened to it: counted as
        // events arrived, a socket that failed first and got in later had been counted twice.
        const fate = { failed: false, connected: false, failedBeforeConnect: false }
        fates.push(fate)
        socket.on('connect', () => {
          open++
          if (!fate.connected) fate.failedBeforeConnect = fate.failed
          fate.connected = true
        })
        socket.on('disconnect', (reason) => {
          open--
          if (!ending) count(result.disconnects, reason)
        })
        socket.on('connect_error', (err) => {
          count(result.connectErrors, connectCause(err))
          fate.failed = true
        })
        await new Promise<void>((resolve) => {
          socket.once('connect', () => resolve())
          // The taker goes on without live updates; the socket keeps retrying in the background.
          socket.once('connect_error', () => resolve())
        })

        await sleep(config.startAt[i] - Date.now())
        let t = performance.now()
        const start = await call(agent, 'POST', `/api/exams/${config.examId}/attempts`, token, {})
        ready()
        if (start.status !== 200) return error(`start ${start.status}`)
        result.start.push(performance.now() - t)
        const questions = start.body.questions as { id: number; type: string; options: { key: string }[] | null; blanks?: number }[]
        for (let n = 0; ; n++) {
          const pause = config.saveIntervalMs * (0.5 + Math.random())
          if (n >= config.answersPerTaker) {
            if (!config.hold) break
            const slot = releasedAt === undefined ? Number.POSITIVE_INFINITY : releasedAt + config.submitOffsetMs[i]
            if (slot <= Date.now() + pause) {
              await sleep(slot - Date.now())
              break
            }
          }
          await sleep(pause)
          const q = questions[n % questions.length]
          const answer =
            q.type === 'judge'
              ? Math.random() < 0.5
              : q.type === 'single'
                ? q.options![0].key
                : q.type === 'multiple'
                  ? [q.options![0].key]
                  : Array(q.blanks ?? 1).fill('x')
          const sent = Date.now()
          t = performance.now()
          const attemptId = start.body.attemptId as number
          // As the web app (useAutosave): over the socket while it is connected; a refusal HTTP would
          // give too is final, anything else (dropped before the ack, a flood, a 5xx) goes over HTTP.
          let overSocket: { ok: boolean; status?: number } | null = null
          if (config.saveOver === 'socket' && socket.connected) {
            overSocket = await socket
              .timeout(SOCKET_ACK_MS)
              .emitWithAck('attempt:save', { attemptId, questionId: q.id, answer })
              .catch(() => null)
            if (overSocket && !overSocket.ok && overSocket.status && overSocket.status < 500) {
              error(`save over socket ${overSocket.status}`)
              continue
            }
          }
          if (!overSocket?.ok) {
            if (config.saveOver === 'socket') result.savesOverHttp++
            const saved = await call(agent, 'PUT', `/api/attempts/${attemptId}/answers/${q.id}`, token, { answer })
            if (saved.status !== 200) {
              error(`save ${saved.status}`)
              continue
            }
          }
          result.save.push(performance.now() - t)
          result.saveSent.push(sent)
          result.saveTimes.push(Date.now())
        }
        t = performance.now()
        const submit = await call(agent, 'POST', `/api/attempts/${start.body.attemptId}/submit`, token)
        if (submit.status !== 200) return error(`submit ${submit.status}`)
        result.submit.push(performance.now() - t)
        send({ type: 'submitted', at: Date.now() })
      } catch (err) {
        error(`exception ${(err as Error).message.slice(0, 60)}`)
      } finally {
        ready()
      }
    }),
  )
  ending = true
  clearInterval(reporter)
  loop.disable()
  for (const s of sockets) s.close()
  result.connected = fates.filter((f) => f.connected && !f.failedBeforeConnect).length
  result.connectedAfterRetry = fates.filter((f) => f.connected && f.failedBeforeConnect).length
  result.neverConnected = fates.filter((f) => !f.connected).length
  await Promise.all(agents.map((a) => a.close()))
  // The orchestrator ends a generator once it has the result; a profiled one (LOADGEN_CPU_PROF)
  // exits by itself instead, since node writes the profile only on a normal exit.
  process.send!({ type: 'done', result } satisfies LoadgenMessage, () => process.env.LOADGEN_CPU_PROF && process.exit(0))
})
