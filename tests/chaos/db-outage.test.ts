// The database connection is cut for a few seconds mid-load: requests fail cleanly with 503,
// nothing acknowledged is lost, and the service comes back by itself.
import { afterAll, describe, expect, it } from 'vitest'
import { io } from 'socket.io-client'
import { stop, type Started } from '../helpers/process.js'
import { ADMIN_PASSWORD, chaosDatabase, Client, examBody, pool, startServer, TAKER_PASSWORD, type ChaosDb } from './setup.js'
import { TcpProxy } from './tcp-proxy.js'

let db: ChaosDb
let server: Started | undefined
let proxy: TcpProxy | undefined
afterAll(async () => {
  if (server) await stop(server, 'SIGKILL')
  await proxy?.close()
  await db?.drop()
})

describe('database outage', () => {
  it('answers 503 during the cut, keeps every acknowledged answer and recovers alone', async () => {
    const takers = 40
    db = await chaosDatabase(takers)
    const pgUrl = new URL(db.url)
    proxy = new TcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) })
    await proxy.listen()
    const viaProxy = new URL(db.url)
    viaProxy.host = `127.0.0.1:${proxy.port}`
    server = await startServer(viaProxy.toString())
    const base = `http://127.0.0.1:${server.port}`
    const admin = await new Client(base).login('admin', ADMIN_PASSWORD)
    const branch = (await admin.call('GET', '/api/orgs')).body.find((o: any) => o.name === '混沌支部')
    const exam = (await admin.call('POST', '/api/exams', examBody([branch.id], { closesInMs: 3_600_000 }))).body
    // The secretary's session is read from the database only after the server's few-second session
    // cache has forgotten it, so her socket below really needs the database.
    const secretary = await new Client(base).login('sec', TAKER_PASSWORD)
    const secretarySignedInAt = Date.now()
    const clients = await pool(
      Array.from({ length: takers }, (_, i) => i),
      10,
      (i) => new Client(base).login(`t${i}`, TAKER_PASSWORD),
    )
    const papers = await pool(clients, 10, async (c) => (await c.call('POST', `/api/exams/${exam.id}/attempts`, {})).body)

    const statuses = new Map<number, number>()
    const lastAcked = new Map<string, boolean>()
    let running = true
    const load = clients.map(async (c, i) => {
      let n = 0
      while (running) {
        const q = papers[i].questions[n++ % papers[i].questions.length]
        const value = n % 3 === 0
        const res = await c
          .call('PUT', `/api/attempts/${papers[i].attemptId}/answers/${q.id}`, { answer: value })
          .catch(() => ({ status: 0, body: null }))
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1)
        if (res.status === 200) lastAcked.set(`${papers[i].attemptId}:${q.id}`, value)
        else await new Promise((r) => setTimeout(r, 50))
      }
    })
    await new Promise((r) => setTimeout(r, Math.max(1000, secretarySignedInAt + 6_000 - Date.now())))
    proxy.sever()
    await new Promise((r) => setTimeout(r, 200))
    const health = await admin.call('GET', '/api/health').catch((err) => {
      throw new Error(`server died: ${server!.output().slice(-3000)}`, { cause: err })
    })
    expect(health.status).toBe(503)
    expect(health.body.error.code).toBe('UNAVAILABLE')
    // A socket that arrives now cannot have its session read: UNAVAILABLE (the web client waits and
    // tries again), never UNAUTHORIZED, which would send every phone to sign in again at once.
    const handshake = () => {
      const socket = io(base, { transports: ['websocket'], auth: { token: secretary.token }, reconnection: false, forceNew: true })
      return new Promise<string>((resolve) => {
        socket.once('connect', () => resolve('connected'))
        socket.once('connect_error', (err) => resolve(err.message))
        setTimeout(() => resolve('no answer'), 10_000)
      }).finally(() => socket.close())
    }
    const handshakeDuringCut = await handshake()
    await new Promise((r) => setTimeout(r, 2800))
    proxy.restore()
    // Back by itself: the health check turns green without a restart.
    const until = Date.now() + 15_000
    while ((await admin.call('GET', '/api/health')).status !== 200 && Date.now() < until) await new Promise((r) => setTimeout(r, 200))
    expect((await admin.call('GET', '/api/health')).status).toBe(200)
    expect(handshakeDuringCut).toBe('UNAVAILABLE')
    expect(await handshake()).toBe('connected')
    await new Promise((r) => setTimeout(r, 1000))
    running = false
    await Promise.all(load)

    const codes = [...statuses.keys()].sort()
    expect(codes.every((s) => s === 200 || s === 503)).toBe(true) // clean failures only, no 500s
    expect(statuses.get(503)).toBeGreaterThan(0)
    expect(statuses.get(200)).toBeGreaterThan(0)
    const rows = await db.handle.db.selectFrom('attempt_answers').select(['attempt_id', 'question_id', 'answer']).execute()
    const stored = new Map(rows.map((r) => [`${r.attempt_id}:${r.question_id}`, r.answer]))
    const lost = [...lastAcked].filter(([key, value]) => stored.get(key) !== value)
    expect(lost).toEqual([])
  })
})
