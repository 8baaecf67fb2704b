// One load-generator process: simulates its share of takers on exam day. Each taker holds a
// socket.io connection, (sometimes) logs in, starts the attempt on schedule, autosaves each answer
// at the configured pace and submits. Latencies go back to the orchestrator over IPC.
import { io, type Socket } from 'socket.io-client'
import { Agent, request } from 'undici'

export interface LoadgenConfig {
  base: string
  examId: number
  takers: { username: string; password: string; token?: string }[]
  /** When taker i of this worker starts its attempt (ms since epoch). */
  startAt: number[]
  saveIntervalMs: number
  answersPerTaker: number
}

export interface LoadgenResult {
  login: number[]
  start: number[]
  save: number[]
  submit: number[]
  saveTimes: number[] // completion times of saves, for throughput over time
  errors: Record<string, number>
  connected: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

process.on('message', async (config: LoadgenConfig) => {
  const agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 })
  const result: LoadgenResult = { login: [], start: [], save: [], submit: [], saveTimes: [], errors: {}, connected: 0 }
  const error = (what: string) => (result.errors[what] = (result.errors[what] ?? 0) + 1)
  async function call(method: string, path: string, token: string | undefined, body?: unknown) {
    const res = await request(config.base + path, {
      method: method as 'POST',
      dispatcher: agent,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(token && { authorization: `Bearer ${token}` }) },
    })
    const json = (await res.body.json().catch(() => null)) as any
    return { status: res.statusCode, body: json }
  }
  const sockets: Socket[] = []

  await Promise.all(
    config.takers.map(async (taker, i) => {
      try {
        let token = taker.token
        if (!token) {
          await sleep(config.startAt[i] - Date.now() - 3000)
          const t = performance.now()
          const res = await call('POST', '/api/auth/login', undefined, { username: taker.username, password: taker.password })
          if (res.status !== 200) return error(`login ${res.status}`)
          result.login.push(performance.now() - t)
          token = res.body.accessToken as string
        }
        // People open the app shortly before they start, not all at the same second.
        await sleep(config.startAt[i] - Date.now() - 2000)
        const socket = io(config.base, { transports: ['websocket'], auth: { token }, reconnectionDelay: 1000 })
        sockets.push(socket)
        await new Promise<void>((resolve) => {
          socket.once('connect', () => {
            result.connected++
            resolve()
          })
          socket.once('connect_error', () => {
            error('socket')
            resolve()
          })
        })

        await sleep(config.startAt[i] - Date.now())
        let t = performance.now()
        const start = await call('POST', `/api/exams/${config.examId}/attempts`, token, {})
        if (start.status !== 200) return error(`start ${start.status}`)
        result.start.push(performance.now() - t)
        const questions = start.body.questions as { id: number; type: string; options: { key: string }[] | null; blanks?: number }[]
        for (let n = 0; n < config.answersPerTaker; n++) {
          await sleep(config.saveIntervalMs * (0.5 + Math.random()))
          const q = questions[n % questions.length]
          const answer =
            q.type === 'judge'
              ? Math.random() < 0.5
              : q.type === 'single'
                ? q.options![0].key
                : q.type === 'multiple'
                  ? [q.options![0].key]
                  : Array(q.blanks ?? 1).fill('x')
          t = performance.now()
          const saved = await call('PUT', `/api/attempts/${start.body.attemptId}/answers/${q.id}`, token, { answer })
          if (saved.status !== 200) {
            error(`save ${saved.status}`)
            continue
          }
          result.save.push(performance.now() - t)
          result.saveTimes.push(Date.now())
        }
        t = performance.now()
        const submit = await call('POST', `/api/attempts/${start.body.attemptId}/submit`, token)
        if (submit.status !== 200) return error(`submit ${submit.status}`)
        result.submit.push(performance.now() - t)
        process.send!({ type: 'submitted', at: Date.now() })
      } catch (err) {
        error(`exception ${(err as Error).message.slice(0, 60)}`)
      }
    }),
  )
  for (const s of sockets) s.close()
  await agent.close()
  process.send!({ type: 'done', result })
})
