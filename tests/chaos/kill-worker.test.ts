// kill -9 one of two cluster workers while takers autosave and a secretary watches: the primary
// replaces it, the sockets it held reconnect to a live worker, the watcher keeps getting progress,
// and every acknowledged answer is in the database. Then live games still match across workers.
// Each worker, the replacement too, accepts on LISTENERS_PER_WORKER handles of the one socket.
import { execFileSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import { io, type Socket } from 'socket.io-client'
import { stop, type Started } from '../helpers/process.js'
import { socketsOnPort } from '../helpers/proc-sockets.js'
import {
  ADMIN_PASSWORD,
  autosaveLoad,
  chaosDatabase,
  Client,
  examBody,
  lostAnswers,
  pool,
  startServer,
  TAKER_PASSWORD,
  type ChaosDb,
} from './setup.js'

const TAKERS = 60
const LISTENERS = 3
let db: ChaosDb
let server: Started | undefined
const sockets: Socket[] = []
afterAll(async () => {
  sockets.forEach((s) => s.close())
  if (server) await stop(server, 'SIGKILL')
  // The workers of a killed primary see their IPC channel close and exit; make sure.
  await db?.drop()
})

/** The primary's worker processes (tsx also starts an esbuild service beside them). */
const workersOf = (primaryPid: number) =>
  execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(primaryPid)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter((line) => line && !line.includes('esbuild'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))

async function until(check: () => boolean | Promise<boolean>, ms: number) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (await check()) return true
    await new Promise((r) => setTimeout(r, 200))
  }
  return check()
}

describe('kill -9 of one worker', () => {
  it('loses no acknowledged answer; its sockets reconnect to the other worker and watching goes on', async () => {
    db = await chaosDatabase(TAKERS)
    // A generous start: two workers each load the TypeScript sources.
    server = await startServer(db.url, { WORKERS: '2', DATABASE_POOL_SIZE: '10', LISTENERS_PER_WORKER: String(LISTENERS) }, 180_000)
    const base = `http://127.0.0.1:${server.port}`
    const port = server.port
    const stage = (what: string) => console.log(`[kill-worker] ${what}`)
    stage('started')
    expect(workersOf(server.child.pid!)).toHaveLength(2)
    // Each worker asks for its copies once it listens (the banner may come first).
    const listening = () => workersOf(server!.child.pid!).map((worker) => socketsOnPort(worker, port, 'listen'))
    expect(await until(() => listening().every((n) => n === LISTENERS), 30_000)).toBe(true)
    const admin = await new Client(base).login('admin', ADMIN_PASSWORD)
    const branch = (await admin.call('GET', '/api/orgs')).body.find((o: any) => o.name === '混沌支部')
    const exam = (await admin.call('POST', '/api/exams', examBody([branch.id], { closesInMs: 3_600_000 }))).body
    const takers = await pool(
      Array.from({ length: TAKERS }, (_, i) => i),
      8,
      (i) => new Client(base).login(`t${i}`, TAKER_PASSWORD),
    )
    const papers = await pool(takers, 8, async (c) => (await c.call('POST', `/api/exams/${exam.id}/attempts`, {})).body)

    // Each taker holds a socket (on whichever worker accepted it); the admin watches the exam.
    let dropped = 0
    for (const c of takers) {
      const s = io(base, { transports: ['websocket'], auth: { token: c.token }, reconnectionDelay: 200, reconnectionDelayMax: 1000 })
      s.on('disconnect', () => dropped++)
      sockets.push(s)
    }
    const watcher = io(base, { transports: ['websocket'], auth: { token: admin.token }, reconnectionDelay: 200 })
    sockets.push(watcher)
    const progress: { submitted: number }[] = []
    watcher.on('connect', () => watcher.emit('exam:watch', { examId: exam.id }, () => {}))
    watcher.on('exam:progress', (p: { submitted: number }) => progress.push(p))
    expect(await until(() => sockets.every((s) => s.connected), 20_000)).toBe(true)
    stage('sockets connected')

    // Half the takers save over their sockets (as the web app), half over HTTP.
    const load = autosaveLoad(
      takers,
      papers,
      sockets.slice(0, TAKERS).map((s, i) => (i % 2 === 0 ? s : undefined)),
    )
    await new Promise((r) => setTimeout(r, 2000))
    // The workers take connections as they turn, not in turn: kill the one holding the most.
    const [victim] = workersOf(server.child.pid!).sort(
      (a, b) => socketsOnPort(b, port, 'established') - socketsOnPort(a, port, 'established'),
    )
    process.kill(victim, 'SIGKILL')
    stage(`killed worker ${victim}`)
    const ackedAtKill = load.counts.acked
    await new Promise((r) => setTimeout(r, 3000))
    await load.stop()
    // Saves went on after the kill, through the surviving worker.
    expect(load.counts.acked).toBeGreaterThan(ackedAtKill)

    // The primary replaced the worker; the dropped sockets are all back.
    expect(await until(() => workersOf(server!.child.pid!).length === 2 && !workersOf(server!.child.pid!).includes(victim), 30_000)).toBe(
      true,
    )
    expect(dropped).toBeGreaterThan(0)
    expect(await until(() => sockets.every((s) => s.connected), 20_000)).toBe(true)
    // The replacement, once it has started, asked the primary for its copies of the listening socket
    // like the first two.
    expect(await until(() => listening().every((n) => n === LISTENERS), 120_000)).toBe(true)

    stage('replaced and reconnected')
    // Every acknowledged answer is stored (or one sent after it).
    expect(await lostAnswers(db, load.sent)).toEqual([])
    expect(load.counts.overSocket).toBeGreaterThan(0)
    stage(`no acknowledged answer lost (${load.counts.acked} acknowledged, ${load.counts.overSocket} of them over sockets)`)

    // Watching goes on across workers: submissions reach the admin, whichever worker took them.
    const submits = await pool(takers.slice(0, 10), 5, (c, i) => c.call('POST', `/api/attempts/${papers[i].attemptId}/submit`))
    stage(`submitted: ${submits.map((r) => r.status).join(' ')}`)
    expect(await until(() => progress.some((p) => p.submitted >= 10), 15_000)).toBe(true)

    // Live games span the workers: four new sockets, two on each worker, queue for a 四人赛 and are
    // matched into one battle by the games home (matching inside each worker would leave two and
    // two waiting). Connected one at a time, each is on the worker whose connections went up.
    const perWorker = new Map<number, Socket[]>()
    for (const c of takers.slice(20, 50)) {
      const workers = workersOf(server.child.pid!)
      const before = workers.map((w) => socketsOnPort(w, port, 'established'))
      const s = io(base, { transports: ['websocket'], auth: { token: c.token }, reconnection: false })
      sockets.push(s)
      expect(await until(() => s.connected, 10_000)).toBe(true)
      const owner = workers.find((w, i) => socketsOnPort(w, port, 'established') > before[i]!)
      if (owner === undefined) continue
      const mine = perWorker.get(owner) ?? []
      if (mine.length < 2) perWorker.set(owner, [...mine, s])
      if ([...perWorker.values()].flat().length === 4) break
    }
    const four = [...perWorker.values()].flat()
    expect(four).toHaveLength(4)
    const matched: number[] = []
    four.forEach((s) => s.on('battle:matched', (m: { battleId: number }) => matched.push(m.battleId)))
    const joined = await Promise.all(four.map((s) => s.timeout(8_000).emitWithAck('battle:join', { mode: 'four' })))
    expect(joined).toEqual(Array(4).fill({ ok: true, queued: true }))
    expect(await until(() => matched.length === 4, 10_000)).toBe(true)
    expect(new Set(matched).size).toBe(1)
    stage(`four players matched across workers into battle ${matched[0]}`)
  }, 420_000)
})
