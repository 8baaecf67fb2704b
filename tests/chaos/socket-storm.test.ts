// After a restart, thousands of watchers reconnect at once and are all served without errors.
import { afterAll, describe, expect, it } from 'vitest'
import { io, type Socket } from 'socket.io-client'
import { stop, type Started } from '../helpers/process.js'
import { ADMIN_PASSWORD, chaosDatabase, Client, examBody, startServer, type ChaosDb } from './setup.js'

const CLIENTS = Number(process.env.CHAOS_SOCKETS ?? 1000)
let db: ChaosDb
const servers: Started[] = []
const sockets: Socket[] = []
afterAll(async () => {
  sockets.forEach((s) => s.close())
  for (const s of servers) await stop(s, 'SIGKILL')
  await db?.drop()
})

describe('socket storm', () => {
  it(`${CLIENTS} clients reconnect at once after a restart and all watch again`, async () => {
    db = await chaosDatabase(5)
    let server = await startServer(db.url)
    servers.push(server)
    const port = server.port
    const admin = await new Client(`http://127.0.0.1:${port}`).login('admin', ADMIN_PASSWORD)
    const branch = (await admin.call('GET', '/api/orgs')).body.find((o: any) => o.name === '混沌支部')
    const exam = (await admin.call('POST', '/api/exams', examBody([branch.id], { closesInMs: 3_600_000 }))).body

    let connects = 0
    let errors = 0
    const watched = new Set<number>()
    for (let i = 0; i < CLIENTS; i++) {
      const s = io(`http://127.0.0.1:${port}`, {
        transports: ['websocket'],
        auth: { token: admin.token },
        reconnectionDelay: 200,
        reconnectionDelayMax: 2000,
        forceNew: true,
      })
      s.on('connect', async () => {
        connects++
        const ack = await s
          .timeout(10_000)
          .emitWithAck('exam:watch', { examId: exam.id })
          .catch(() => ({ ok: false }))
        if (ack.ok) watched.add(i)
        else errors++
      })
      s.on('connect_error', () => errors++)
      sockets.push(s)
    }
    const waitAll = async (count: () => number, ms: number) => {
      const until = Date.now() + ms
      while (count() < CLIENTS && Date.now() < until) await new Promise((r) => setTimeout(r, 100))
      return count()
    }
    expect(await waitAll(() => watched.size, 60_000)).toBe(CLIENTS)
    // A burst of connects to a running server: every socket in at the first try. Connections beyond
    // the listen backlog are dropped and retried as connect errors (main.ts listens with 4096; with a
    // backlog of 16 this burst saw 606 errors), which the bench had counted at 2,000 takers.
    expect({ connects, errors }).toEqual({ connects: CLIENTS, errors: 0 })

    // Restart on the same port: every client comes back by itself.
    server.child.kill('SIGKILL')
    await server.exited
    watched.clear()
    errors = 0
    connects = 0
    server = await startServer(db.url, { PORT: String(port) })
    servers.push(server)
    expect(await waitAll(() => watched.size, 60_000)).toBe(CLIENTS)
    // connect_error while the port was closed is expected; once up, no watch may fail.
    expect(connects).toBeGreaterThanOrEqual(CLIENTS)
    expect(watched.size).toBe(CLIENTS)
  })
})
