// `npm run bench [-- --takers 20000 --save-interval 5000 --answers 5 --workers 2 --find-max]`
// Starts the server on a PostgreSQL database it creates, measures baselines in the same run,
// drives a simulated exam day from separate load-generator processes, fires a login storm and a
// refresh storm at the server while the takers are in the exam, and reports every figure against
// issue 16's targets (report.ts). Flags:
//   --workers N        the server's worker processes (WORKERS; default 1)
//   --loadgens N       load-generator processes (default: ≤ 5,000 sockets each, at least 2)
//   --connect-rate N   socket handshakes per second over all load generators (default 500)
//   --storm N          logins at once during the exam, then N refreshes at once (default 500 from
//                      2,000 takers up, else 0; always 0 with --embedded)
//   --proxy nginx      clients reach the server through nginx, as deployed (tests/bench/proxy.ts)
//   --shared-connections  each load generator's takers share 256 HTTP connections instead of one
//                      each, as phones have (needed at 20,000 takers: the server's open-files limit)
//   --probe N          N of the takers (every k-th; default 1 in 50, at most 40) in a load
//                      generator of their own, whose loop is nearly idle: their autosave p99 is
//                      reported beside everyone's, the server's share of the tail without the
//                      other phones' lag
import os from 'node:os'
import fs from 'node:fs'
import path from 'node:path'
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { io } from 'socket.io-client'
import { openDatabase } from '../../server/db/connect.js'
import { migrateToLatest } from '../../server/db/migrator.js'
import { hashPassword } from '../../server/lib/passwords.js'
import { insertOrg } from '../../server/modules/orgs/queries.js'
import { syncBank, BANK_DIR } from '../../server/modules/questions/bank-sync.js'
import { startMain, stop, waitFor } from '../helpers/process.js'
import { closedLoop } from './http.js'
import { findMaxOverHttp, findMaxOverSockets } from './find-max.js'
import { dealTakers } from './deal.js'
import type { OpenAttempt } from './socket-max.js'
import { Samples, percentile, round } from './stats.js'
import { mintTokens } from './tokens.js'
import { meanCores, sampleTree } from './proc.js'
import { loginStorm, refreshStorm, type StormOutcome } from './storm.js'
import { startNginx } from './proxy.js'
import { checkTargets, markdown, writeReport, type BenchReport, type CoreSecond, type WindowSummary } from './report.js'
import type { LoadgenConfig, LoadgenMessage, LoadgenResult } from './loadgen.js'
import type { PoolReading } from '../../server/db/pool-meter.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

// `--scenario duels|contest`: the live-game scenarios, with flags of their own (tests/bench/live.ts).
const liveScenario = process.argv
  .slice(2)
  .join(' ')
  .match(/--scenario[= ](duels|contest)\b/)?.[1]
if (liveScenario) {
  const { runLive } = await import('./live.js')
  await runLive(process.argv.slice(2)).then(
    () => process.exit(0),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
}

const { values: args } = parseArgs({
  options: {
    takers: { type: 'string', default: '2000' },
    secretaries: { type: 'string', default: '10' },
    'save-interval': { type: 'string', default: '1000' },
    answers: { type: 'string', default: '10' },
    'start-rate': { type: 'string', default: '200' },
    'connect-rate': { type: 'string', default: '500' },
    'login-sample': { type: 'string', default: '200' },
    workers: { type: 'string', default: '1' },
    loadgens: { type: 'string' },
    probe: { type: 'string' },
    storm: { type: 'string' },
    'find-max': { type: 'boolean', default: false },
    proxy: { type: 'string' },
    'shared-connections': { type: 'boolean', default: false },
    /** How takers' saves travel: over their socket while it is up (as the web app), or always HTTP. */
    'save-over': { type: 'string', default: 'socket' },
    /** The embedded PGlite mode: the demo department (~150 people) takes a branch-sized exam. */
    embedded: { type: 'boolean', default: false },
    database: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
})
const TAKERS = Number(args.takers)
const SECRETARIES = Number(args.secretaries)
const SAVE_INTERVAL = Number(args['save-interval'])
const ANSWERS = Number(args.answers)
const START_RATE = Number(args['start-rate'])
const CONNECT_RATE = Number(args['connect-rate'])
const WORKERS = Math.max(1, Number(args.workers))
/** Sockets per load generator at most: far below the 20,000 open files a process may hold here. */
const SOCKETS_PER_LOADGEN = 5000
const LOADGENS = Math.max(1, Number(args.loadgens ?? Math.max(2, Math.ceil(TAKERS / SOCKETS_PER_LOADGEN))))
/**
 * Takers measured from a process of their own (0: none). By default one in fifty, at most 40: more
 * would give the probe's own loop work enough to lag (400 of 20,000 did: its worst second 572 ms).
 */
const PROBE = Math.max(0, Math.floor(Number(args.probe ?? Math.min(40, TAKERS / 50))))
const STORM = args.embedded ? 0 : Math.max(0, Number(args.storm ?? (TAKERS >= 2000 ? 500 : 0)))
const ROOT = path.resolve(import.meta.dirname, '../..')
const JWT_SECRET = randomBytes(24).toString('hex')
const PASSWORD = 'Bench-2026-pass'
const log = (m: string) => console.error(`[bench] ${m}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

for (const [flag, v] of Object.entries({
  TAKERS,
  SECRETARIES,
  SAVE_INTERVAL,
  ANSWERS,
  START_RATE,
  CONNECT_RATE,
  WORKERS,
  LOADGENS,
  PROBE,
  STORM,
}))
  if (!Number.isFinite(v) || v < 0) throw new Error(`bad value for ${flag}`)
if (args['save-over'] !== 'socket' && args['save-over'] !== 'http') throw new Error('--save-over takes socket or http')
if (args.proxy !== undefined && args.proxy !== 'nginx') throw new Error('--proxy takes one value: nginx')
if (args.proxy && args.embedded) throw new Error('--proxy is for the PostgreSQL mode')
if (args.embedded && args.storm && Number(args.storm) > 0) log('--storm is ignored with --embedded (its people log in for real anyway)')
if (TAKERS / LOADGENS > SOCKETS_PER_LOADGEN)
  log(
    `warning: ${Math.ceil(TAKERS / LOADGENS)} sockets per load generator; above ${SOCKETS_PER_LOADGEN} a process nears its open-files limit`,
  )

async function adminQuery(q: string) {
  const c = new pg.Client({ connectionString: args.database })
  await c.connect()
  try {
    await c.query(q)
  } finally {
    await c.end()
  }
}

interface Target {
  base: string
  /** The started server process: its whole tree is what the memory figure sums. */
  serverPid: number
  adminToken: string
  rootOrgId: number
  takers: string[]
  password: string
  /** People seeded for the login storm (they take no exam). */
  stormUsers: string[]
  /** Sessions for people who do not log in through the API (minted, or logged in up front). */
  tokenOf(username: string): Promise<string | undefined>
  secretaryTokens: string[]
  /** Takers whose login is measured (the others get `tokenOf`). */
  loginSample: number
  close(): Promise<void>
}

async function loginVia(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  const body = (await res.json()) as { accessToken?: string }
  if (!body.accessToken) throw new Error(`login ${username}: ${res.status}`)
  return body.accessToken
}

/** PostgreSQL: a database of its own, seeded directly, most sessions minted. */
async function postgresTarget(url: URL, dbName: string): Promise<Target> {
  log(`seeding ${TAKERS} takers, ${SECRETARIES} secretaries and ${STORM} people for the login storm`)
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 4 })
  await migrateToLatest(handle.db)
  await syncBank(handle.db, BANK_DIR)
  const root = await insertOrg(handle.db, { name: '压测厅', kind: 'department', parentId: null, parentPath: null })
  const units = await Promise.all(
    Array.from({ length: SECRETARIES }, (_, i) =>
      insertOrg(handle.db, { name: `压测支部${i + 1}`, kind: 'branch', parentId: root.id, parentPath: root.path, sort: i }),
    ),
  )
  const hash = await hashPassword(PASSWORD)
  await handle.db
    .insertInto('users')
    .values({ username: 'admin', name: '管理员', role: 'admin', org_id: root.id, password_hash: hash })
    .execute()
  const seedPeople = async (prefix: string, count: number, label: string) => {
    for (let i = 0; i < count; i += 2000)
      await handle.db
        .insertInto('users')
        .values(
          Array.from({ length: Math.min(2000, count - i) }, (_, j) => ({
            username: `${prefix}${i + j}`,
            name: `${label}${i + j}`,
            role: 'member' as const,
            org_id: units[(i + j) % units.length].id,
            password_hash: hash,
          })),
        )
        .execute()
  }
  await seedPeople('b', TAKERS, '考生')
  await seedPeople('storm', STORM, '登录者')
  await handle.db
    .insertInto('users')
    .values(units.map((u, i) => ({ username: `s${i}`, name: `书记${i}`, role: 'secretary' as const, org_id: u.id, password_hash: hash })))
    .execute()
  const users = await handle.db.selectFrom('users').select(['id', 'username']).where('username', 'not like', 'storm%').execute()
  const minted = await mintTokens(
    handle.db,
    users.filter((u) => u.username !== 'admin').map((u) => u.id),
    JWT_SECRET,
  )
  const tokenByName = new Map(users.map((u) => [u.username, minted.get(u.id)!]))
  await handle.close()
  const server = await startMain(
    {
      DATABASE_URL: url.toString(),
      JWT_SECRET,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      DATA_DIR: '/tmp/xuece-bench-unused',
      WORKERS: String(WORKERS),
      // Behind the proxy the client address comes from X-Forwarded-For, as in the README's deployment.
      ...(args.proxy && { TRUST_PROXY: '127.0.0.1' }),
    },
    { fromBuild: true },
  )
  await waitFor(server, /已启动/, 180_000)
  const proxy = args.proxy ? await startNginx(server.port) : undefined
  const base = proxy?.base ?? `http://127.0.0.1:${server.port}`
  return {
    base,
    serverPid: server.child.pid!,
    adminToken: await loginVia(base, 'admin', PASSWORD),
    rootOrgId: root.id,
    password: PASSWORD,
    takers: Array.from({ length: TAKERS }, (_, i) => `b${i}`),
    stormUsers: Array.from({ length: STORM }, (_, i) => `storm${i}`),
    tokenOf: async (u) => tokenByName.get(u),
    secretaryTokens: units.map((_, i) => tokenByName.get(`s${i}`)!),
    loginSample: Math.min(Number(args['login-sample']), TAKERS),
    close: async () => {
      await proxy?.stop()
      await stop(server)
      const out = server.output()
      if (out.length > 10_000) log(`server wrote ${out.length} bytes of output; last lines:\n${out.slice(-1500)}`)
      // `BENCH_SERVER_LOG=<file>` keeps all of it (warnings and up: workers restarted, handshakes refused …).
      if (process.env.BENCH_SERVER_LOG) fs.writeFileSync(process.env.BENCH_SERVER_LOG, out)
      await adminQuery(`drop database if exists ${dbName} with (force)`).catch(() => {})
    },
  }
}

/** Embedded PGlite: `npm start` on a fresh data directory, the demo department takes the exam. */
async function embeddedTarget(): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-bench-'))
  const server = await startMain({ DATABASE_URL: undefined, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, { fromBuild: true })
  await waitFor(server, /已启动/)
  const base = `http://127.0.0.1:${server.port}`
  const adminToken = await loginVia(base, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const users = (
    (await (await fetch(`${base}/api/users?pageSize=500`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as any
  ).items as { username: string; role: string }[]
  const orgs = (await (await fetch(`${base}/api/orgs`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as any[]
  const secretaries = users.filter((u) => u.role === 'secretary').map((u) => u.username)
  const tokens = new Map<string, string>()
  return {
    base,
    serverPid: server.child.pid!,
    adminToken,
    rootOrgId: orgs.find((o) => o.parentId === null).id,
    password: DEMO_PASSWORD,
    takers: users
      .filter((u) => u.role === 'member')
      .map((u) => u.username)
      .slice(0, TAKERS),
    stormUsers: [],
    tokenOf: async (u) => {
      if (!tokens.has(u)) tokens.set(u, await loginVia(base, u, DEMO_PASSWORD))
      return tokens.get(u)
    },
    secretaryTokens: await Promise.all(secretaries.slice(0, SECRETARIES).map((u) => loginVia(base, u, DEMO_PASSWORD))),
    loginSample: Number.POSITIVE_INFINITY, // every taker logs in for real
    close: async () => {
      await stop(server)
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** The baselines, same machine, same run, each in the same closed loop (the upserts always on PostgreSQL). */
async function measureBaselines(url: URL, children: ChildProcess[]) {
  log('measuring baselines')
  const baseline = fork(path.join(import.meta.dirname, 'baseline-server.ts'), {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_DATABASE_URL: url.toString() },
  })
  children.push(baseline)
  const basePort = await new Promise<number>((resolve) => baseline.once('message', (m: any) => resolve(m.port)))
  const origin = `http://127.0.0.1:${basePort}`
  const bare = await closedLoop(origin, 64, 5, () => ({ method: 'GET', path: '/bare' }))
  const upsert = await closedLoop(origin, 64, 5, (i) => ({
    method: 'PUT',
    path: `/upsert/k${i % 20000}`,
    body: JSON.stringify({ v: i % 2 === 0 }),
  }))
  const batched = await closedLoop(origin, 64, 5, (i) => ({
    method: 'PUT',
    path: `/batched/k${i % 20000}`,
    body: JSON.stringify({ v: i % 2 === 0 }),
  }))
  baseline.kill('SIGTERM')
  log(
    `bare ${bare.rps}/s; one upsert ${upsert.rps}/s p99 ${upsert.latency.p99} ms; batched ${batched.rps}/s p99 ${batched.latency.p99} ms` +
      (batched.errors ? ` (${batched.errors} errors)` : ''),
  )
  return { bare, upsert, batched }
}

async function main() {
  const dbName = `xuece_bench_${Date.now().toString(36)}`
  await adminQuery(`create database ${dbName}`)
  const url = new URL(args.database!)
  url.pathname = `/${dbName}`
  const children: ChildProcess[] = []
  let target: Target | undefined
  let tree: ReturnType<typeof sampleTree> | undefined
  const loadgenPids: number[] = []
  const loadgenExits: Promise<unknown>[] = []
  try {
    const { bare, upsert, batched } = await measureBaselines(url, children)

    // ── the server under test ──
    target = args.embedded ? await embeddedTarget() : await postgresTarget(url, dbName)
    tree = sampleTree(target.serverPid, 1000, () => loadgenPids)
    const { base, adminToken } = target
    const takerCount = target.takers.length
    const loginSample = Math.min(target.loginSample, takerCount)
    const authed = (p: string, body?: unknown) =>
      fetch(base + p, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>)
    const exam = await authed('/api/exams', {
      title: '党史知识集中测试（压测）',
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
      durationMinutes: 120,
      audienceOrgIds: [target.rootOrgId],
      passScore: 60,
      maxAttempts: 1,
      shuffleQuestions: true,
      shuffleOptions: true,
      releaseResults: 'immediately',
      paper: {
        rules: [
          { type: 'single', count: 10, scoreEach: 4 },
          { type: 'judge', count: 10, scoreEach: 3 },
          { type: 'multiple', count: 5, scoreEach: 6 },
        ],
      },
    })
    if (!exam.id) throw new Error(`exam not created: ${JSON.stringify(exam)}`)

    // ── secretaries watch their units; push latency = progress arrival − submit ack ──
    const submitAcks: number[] = []
    // Every progress the admin's watcher received, matched to the acks once the run is over
    // (pushLatencies). Matching as the acks arrived (the figure before 2026-12-04, still reported)
    // charged a later push with every ack that reached this process over IPC from a busy load
    // generator after the progress that had already counted it.
    const progressSeen: { at: number; submitted: number }[] = []
    const pushLatencyAsArrived = new Samples()
    let matched = 0
    const watchers = target.secretaryTokens.map((token) => {
      const s = io(base, { transports: ['websocket'], auth: { token } })
      s.on('connect', () => s.emit('exam:watch', { examId: exam.id }))
      return s
    })
    // One watcher sees the whole department: the admin.
    const all = io(base, { transports: ['websocket'], auth: { token: adminToken } })
    all.on('connect', () => all.emit('exam:watch', { examId: exam.id }))
    all.on('exam:progress', (p: any) => {
      const now = Date.now()
      progressSeen.push({ at: now, submitted: p.submitted })
      const acks = [...submitAcks].sort((a, b) => a - b)
      while (matched < Math.min(p.submitted, acks.length)) pushLatencyAsArrived.add(now - acks[matched++])
    })

    // ── load generators: loaded first, then the schedule ──
    const loadgens = Math.min(LOADGENS, Math.max(1, takerCount))
    // The probe: a few takers spread over the start order, in a process of their own. Every phone's
    // latency includes its load generator's event-loop delay, and a generator holding a thousand
    // phones lags in the start wave; the probe's loop has almost nothing else to do.
    const probeCount = Math.min(PROBE, Math.floor(takerCount / 10))
    const hold = STORM > 0
    log(
      `exam day: ${takerCount} takers over ${loadgens} load generators, server with ${WORKERS} worker(s); ` +
        `sockets at ≤ ${CONNECT_RATE}/s, ${START_RATE} starts/s, a save every ~${SAVE_INTERVAL} ms` +
        (probeCount ? `; ${probeCount} of the takers in a probe process of their own` : '') +
        (hold ? `; a storm of ${STORM} logins and ${STORM} refreshes once all are in the exam` : ''),
    )
    const procs = Array.from({ length: loadgens + (probeCount ? 1 : 0) }, () => {
      // `LOADGEN_CPU_PROF=<dir>` writes a V8 CPU profile of each load generator as it finishes.
      const profile = process.env.LOADGEN_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOADGEN_CPU_PROF}`] : []
      const child = fork(path.join(import.meta.dirname, 'loadgen.ts'), { execArgv: ['--import', 'tsx', ...profile] })
      children.push(child)
      loadgenExits.push(new Promise((resolve) => child.once('exit', resolve)))
      if (child.pid) loadgenPids.push(child.pid)
      return child
    })
    await Promise.all(procs.map((c) => new Promise<void>((r) => c.once('message', () => r()))))
    const startBase = Date.now() + 3000
    const pace = Math.min(START_RATE, CONNECT_RATE)
    const plan = await Promise.all(
      target.takers.map(async (username, i) => ({
        username,
        password: target!.password,
        token: i < loginSample ? undefined : await target!.tokenOf(username),
        connectAt: startBase - 2000 + (i / pace) * 1000,
        startAt: startBase + (i / START_RATE) * 1000,
        submitOffsetMs: (i / START_RATE) * 1000,
      })),
    )
    const shares = dealTakers(plan, loadgens, probeCount)
    const t0 = Date.now()
    let inExam = 0
    let allInExam: () => void = () => {}
    const allInExamP = new Promise<void>((r) => (allInExam = r))
    const openSockets = new Map<number, number>()
    const results = Promise.all(
      procs.map(
        (child, w) =>
          new Promise<LoadgenResult>((resolve, reject) => {
            const mine = shares[w]
            child.on('message', (m: LoadgenMessage) => {
              if (m.type === 'ready' && ++inExam === takerCount) allInExam()
              if (m.type === 'submitted') submitAcks.push(m.at)
              if (m.type === 'sockets') openSockets.set(w, m.open)
              if (m.type === 'done') {
                resolve(m.result)
                if (!process.env.LOADGEN_CPU_PROF) child.kill() // a profiled one exits by itself
              }
            })
            child.once('exit', (code) => reject(new Error(`load generator ${w} exited (${code}) before reporting`)))
            const config: LoadgenConfig = {
              base,
              examId: exam.id,
              takers: mine.map(({ username, password, token }) => ({ username, password, token })),
              connectAt: mine.map((p) => p.connectAt),
              startAt: mine.map((p) => p.startAt),
              submitOffsetMs: mine.map((p) => p.submitOffsetMs),
              saveIntervalMs: SAVE_INTERVAL,
              answersPerTaker: ANSWERS,
              hold,
              sharedConnections: args['shared-connections']!,
              saveOver: args['save-over'] as LoadgenConfig['saveOver'],
            }
            child.send(config)
          }),
      ),
    )
    results.catch(() => {}) // handled where awaited; a generator failing mid-storm must not crash the run
    // The first sample of each source covers time before the run: only what follows counts.
    await authed('/api/health/metrics').catch(() => null)
    const metrics: any[] = []
    const connections: [number, number][] = []
    // Only real samples: under overload the metrics call itself may answer with an error body.
    const sampler = setInterval(async () => {
      connections.push([Math.round((Date.now() - t0) / 1000), [...openSockets.values()].reduce((a, b) => a + b, 0)])
      const m = await authed('/api/health/metrics').catch(() => null)
      if (m?.eventLoopDelayMs) metrics.push({ t: (Date.now() - t0) / 1000, ...m })
    }, 1000)

    // ── the storm phase: takers in the exam and saving; logins, then refreshes, at once ──
    let storm: { logins: StormOutcome; refresh?: StormOutcome; steadyFrom: number } | undefined
    if (hold) {
      const lastStart = startBase + (takerCount / START_RATE) * 1000
      const inTime = await Promise.race([allInExamP.then(() => true), sleep(lastStart - Date.now() + 120_000).then(() => false)])
      if (!inTime) log(`only ${inExam} of ${takerCount} takers in the exam after 2 minutes; the storm goes ahead`)
      // Every taker has saved at least once before the window that the storm is compared with.
      const steadyFrom = Date.now() + 1.5 * SAVE_INTERVAL
      try {
        await sleep(Math.max(10_000, 3 * SAVE_INTERVAL, STORM * 40))
        log(`login storm: ${STORM} real logins at once`)
        const ls = await loginStorm(base, target.stormUsers, target.password)
        log(
          `  ${ls.outcome.latency.count} signed in in ${((ls.outcome.to - ls.outcome.from) / 1000).toFixed(1)} s, ` +
            `${ls.outcome.busy} told 503 BUSY; p99 ${ls.outcome.latency.summary().p99} ms`,
        )
        storm = { logins: ls.outcome, steadyFrom }
        await sleep(2000)
        if (ls.refreshTokens.length) {
          log(`refresh storm: ${ls.refreshTokens.length} refreshes at once`)
          storm.refresh = await refreshStorm(base, ls.refreshTokens)
          log(`  p99 ${storm.refresh.latency.summary().p99} ms`)
          await sleep(2000)
        }
      } finally {
        const at = Date.now()
        for (const c of procs) if (c.connected) c.send({ type: 'release', at })
      }
    }
    const done = await results
    await sleep(1500) // last pushes
    clearInterval(sampler)
    const examEnd = Date.now()

    // ── saturation ──
    let findMax: BenchReport['findMax']
    let findMaxSocket: BenchReport['findMaxSocket']
    if (args['find-max']) {
      log('finding the sustained autosave maximum')
      // Fresh open attempts on a second exam: the exam-day attempts are all submitted by now.
      const exam2 = await authed('/api/exams', {
        ...exam,
        id: undefined,
        createdAt: undefined,
        maxScore: undefined,
        questionCount: undefined,
        instructions: undefined,
        title: '饱和测试',
      })
      const open: OpenAttempt[] = []
      // Up to 2,000 attempts: over sockets, each saving ≤ 16/s, that offers up to 32,000 saves a second.
      for (const username of target.takers.slice(0, 2000)) {
        const token = (await target.tokenOf(username))!
        const r = await fetch(`${base}/api/exams/${exam2.id}/attempts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        }).then((x) => x.json() as Promise<any>)
        open.push({ id: r.attemptId, token, q: r.questions.filter((q: any) => q.type === 'judge').map((q: any) => q.id) })
      }
      const baselines = { upsert: upsert.rps, batched: batched.rps }
      findMax = await findMaxOverHttp(base, open, baselines, log)
      findMaxSocket = await findMaxOverSockets(base, open, LOADGENS, baselines, log)
    }
    watchers.forEach((s) => s.close())
    all.close()
    const treeSamples = tree.stop()

    // ── report ──
    const merge = (k: 'login' | 'open' | 'start' | 'submit') => {
      const s = new Samples()
      s.addAll(done.flatMap((r) => r[k]))
      return s.summary()
    }
    // Autosaves by when they were sent: the storm windows, the same-length window before, the rest.
    const saves = done.flatMap((r) => r.save.map((ms, i) => ({ ms, sent: r.saveSent[i], at: r.saveTimes[i] })))
    const rel = (t: number) => round((t - t0) / 1000, 1) ?? 0
    // Each second, the load generator whose loop was slowest: its delay is in what it measured then.
    const loopBySecond = new Map<number, number>()
    for (const r of done)
      for (const [at, ms] of r.loopDelay)
        loopBySecond.set(Math.round(at / 1000), Math.max(loopBySecond.get(Math.round(at / 1000)) ?? 0, ms))
    const worstLoadgenLoop = [...loopBySecond.entries()].sort((a, b) => a[0] - b[0]).map(([s, ms]) => [s * 1000, ms] as [number, number])
    const within = (from: number, to: number): WindowSummary => {
      const s = new Samples()
      s.addAll(saves.filter((x) => x.sent >= from && x.sent <= to).map((x) => x.ms))
      return { ...s.summary(), fromS: rel(from), toS: rel(to) }
    }
    const stormWindows = storm ? [storm.logins, ...(storm.refresh ? [storm.refresh] : [])] : []
    const inStorm = (t: number) => stormWindows.some((w) => t >= w.from && t <= w.to)
    const saveAll = new Samples()
    saveAll.addAll(saves.map((x) => x.ms))
    const saveCalm = new Samples()
    saveCalm.addAll(saves.filter((x) => !inStorm(x.sent)).map((x) => x.ms))
    // The probe's takers alone, outside the storms as above, and its own loop's worst second.
    const probe = probeCount ? done[loadgens] : undefined
    const probeCalm = new Samples()
    if (probe) probeCalm.addAll(probe.save.filter((_, i) => !inStorm(probe.saveSent[i])))
    const probeLoopMax = probe ? Math.max(0, ...probe.loopDelay.map(([, ms]) => ms)) : 0
    const perSecond = new Map<number, number>()
    for (const { at } of saves) perSecond.set(Math.floor((at - t0) / 1000), (perSecond.get(Math.floor((at - t0) / 1000)) ?? 0) + 1)
    const rates = [...perSecond.values()]
    const errors: Record<string, number> = {}
    const addUp = (into: Record<string, number>, from: Record<string, number>) => {
      for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v
      return into
    }
    for (const r of done) addUp(errors, r.errors)
    const examTree = treeSamples.filter((s) => s.at >= t0 && s.at <= examEnd)
    const examCores = meanCores(examTree)
    // The start wave: from the first scheduled start to two seconds after the last.
    const startWave = { from: startBase, to: startBase + (takerCount / START_RATE) * 1000 + 2000 }
    const stormReport = (): BenchReport['storm'] => {
      if (!storm) return undefined
      const l = storm.logins
      const length = l.to - l.from
      const summary = (o: StormOutcome) => ({
        ...o.latency.summary(),
        requests: o.requests,
        failed: o.failed,
        seconds: round((o.to - o.from) / 1000, 1) ?? 0,
      })
      return {
        logins: {
          ...summary(l),
          firstAnswerP99: l.firstAnswer.summary().p99,
          busy: l.busy,
          inAfterRetry: l.inAfterRetry,
          busyAnswers: l.busyAnswers,
        },
        refresh: storm.refresh ? summary(storm.refresh) : undefined,
        autosave: {
          // The same length as the storm, unless the exam had not been steady that long.
          before: within(Math.max(storm.steadyFrom, l.from - length), l.from),
          during: within(l.from, l.to),
          duringRefresh: storm.refresh ? within(storm.refresh.from, storm.refresh.to) : undefined,
        },
      }
    }
    const partial: Omit<BenchReport, 'targets'> = {
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? '?',
        memGb: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        date: new Date().toISOString(),
      },
      params: {
        mode: args.embedded ? 'embedded PGlite' : 'PostgreSQL',
        takers: takerCount,
        secretaries: target.secretaryTokens.length,
        saveIntervalMs: SAVE_INTERVAL,
        answersPerTaker: ANSWERS,
        startRate: START_RATE,
        connectRate: CONNECT_RATE,
        loginSample,
        workers: args.embedded ? 1 : WORKERS,
        proxy: args.proxy ?? 'none',
        connections: args['shared-connections'] ? 'shared' : 'one per taker',
        saveOver: args['save-over'],
        loadgens,
        probe: probeCount,
        storm: STORM,
      },
      baselines: {
        bare: { rps: bare.rps, p99: bare.latency.p99 },
        upsert: { rps: upsert.rps, median: upsert.latency.median, p99: upsert.latency.p99 },
        batched: { rps: batched.rps, median: batched.latency.median, p99: batched.latency.p99, errors: batched.errors },
      },
      figures: [
        {
          name: 'login (real Argon2id, a sample paced with the starts)',
          ...merge('login'),
          unit: 'ms',
          ratio: `${done.reduce((n, r) => n + r.loginBusy, 0)} told 503 BUSY first`,
        },
        ...(args['shared-connections'] ? [] : [{ name: 'app open: first request on a new connection', ...merge('open'), unit: 'ms' }]),
        { name: 'attempt start', ...merge('start'), unit: 'ms' },
        {
          name: storm ? 'autosave, outside the storms' : 'autosave',
          ...saveCalm.summary(),
          unit: 'ms',
          ratio:
            saveCalm.summary().p99 && upsert.latency.p99
              ? `p99 ${round(saveCalm.summary().p99! / upsert.latency.p99, 2)}× one-upsert p99`
              : undefined,
        },
        ...(storm ? [{ name: 'autosave, all', ...saveAll.summary(), unit: 'ms' }] : []),
        ...(probe
          ? [
              {
                name: `probe: autosave${storm ? ' outside the storms' : ''} of its ${probeCount} takers, in a load generator of their own`,
                ...probeCalm.summary(),
                unit: 'ms',
                ratio: `its event loop's worst second p99 ${probeLoopMax} ms`,
              },
            ]
          : []),
        { name: 'submit', ...merge('submit'), unit: 'ms' },
        { name: 'push: submit → watcher exam:progress', ...pushLatencies(submitAcks, progressSeen).summary(), unit: 'ms' },
        { name: 'push, matched as acks arrived (before 2026-12-04)', ...pushLatencyAsArrived.summary(), unit: 'ms' },
      ],
      throughput: {
        autosavePerSecPeak: rates.length ? Math.max(...rates) : 0,
        autosavePerSecMean: rates.length ? Math.round(rates.reduce((a, b) => a + b, 0) / rates.length) : 0,
        ratioToUpsert: rates.length && upsert.rps ? round(Math.max(...rates) / upsert.rps, 2) : null,
      },
      findMax,
      findMaxSocket,
      sockets: {
        takers: takerCount,
        opened: done.reduce((n, r) => n + r.opened, 0),
        connected: done.reduce((n, r) => n + r.connected, 0),
        connectedAfterRetry: done.reduce((n, r) => n + r.connectedAfterRetry, 0),
        neverConnected: done.reduce((n, r) => n + r.neverConnected, 0),
        connectErrors: done.reduce((m, r) => addUp(m, r.connectErrors), {} as Record<string, number>),
        disconnects: done.reduce((m, r) => addUp(m, r.disconnects), {} as Record<string, number>),
        openMax: Math.max(0, ...connections.map((c) => c[1])),
        savesOverHttp: args['save-over'] === 'socket' ? done.reduce((n, r) => n + r.savesOverHttp, 0) : undefined,
      },
      storm: stormReport(),
      server: {
        workers: args.embedded ? 1 : WORKERS,
        processesMax: Math.max(0, ...treeSamples.map((s) => s.processes)),
        rssMbMax: Math.max(0, ...treeSamples.map((s) => s.rssMb)),
        cpuCoresMean: round(examTree.reduce((n, s) => n + s.cpuCores, 0) / Math.max(1, examTree.length), 2) ?? 0,
        eventLoopP99MsMax: Math.max(0, ...metrics.map((m) => m.eventLoopDelayMs.p99)),
        pool: poolSummary(metrics, { from: rel(startWave.from), to: rel(startWave.to) }),
        cores: examCores && {
          startWave: meanCores(treeSamples.filter((s) => s.at >= startWave.from && s.at <= startWave.to)),
          run: examCores,
        },
      },
      timeline: {
        latency: [],
        throughput: [...perSecond.entries()].sort((a, b) => a[0] - b[0]),
        connections,
        rss: treeSamples.map((s) => [rel(s.at), s.rssMb] as [number, number]),
        // Each second: [s, machine, server, its event loops on a CPU, the same waiting for one, PostgreSQL, load generators] (cores).
        cores: treeSamples.flatMap((s) =>
          s.cores
            ? [
                [
                  rel(s.at),
                  s.cores.machine,
                  s.cpuCores,
                  s.cores.loopRun,
                  s.cores.loopWait,
                  s.cores.postgres,
                  s.cores.loadgens,
                ] as CoreSecond,
              ]
            : [],
        ),
        serverLoop: metrics.map((m) => [round(m.t, 1) ?? 0, m.eventLoopDelayMs.p99] as [number, number]),
        // The answering worker's shared pool each second: [s, wait p99, held p50, held p99, waiting max, checkouts].
        serverPool: metrics
          .filter((m) => m.databasePool)
          .map((m) => {
            const d = m.databasePool
            return [round(m.t, 1) ?? 0, d.waitMs.p99, d.heldMs.p50, d.heldMs.p99, d.waitingMax, d.checkouts]
          }),
        // The answering worker's RSS and JS heap (MB): what of its memory is JavaScript objects.
        serverMemory: metrics.map((m) => [round(m.t, 1) ?? 0, m.rssMb, m.heapUsedMb] as [number, number, number]),
        loadgenLoop: worstLoadgenLoop.map(([at, ms]) => [rel(at), ms] as [number, number]),
        windows: [
          ...(storm ? [{ name: 'login storm', from: rel(storm.logins.from), to: rel(storm.logins.to) }] : []),
          ...(storm?.refresh ? [{ name: 'refresh storm', from: rel(storm.refresh.from), to: rel(storm.refresh.to) }] : []),
        ],
      },
      loadgens: {
        loopP99MsMedian:
          percentile(
            worstLoadgenLoop.map(([, ms]) => ms),
            50,
          ) || 0,
        loopP99MsMax: Math.max(0, ...worstLoadgenLoop.map(([, ms]) => ms)),
      },
      errors,
    }
    // Latency over time: at most 20,000 points, evenly thinned.
    const every = Math.max(1, Math.ceil(saves.length / 20_000))
    for (let i = 0; i < saves.length; i += every) partial.timeline.latency.push([rel(saves[i].at), round(saves[i].ms) ?? 0])
    const report: BenchReport = { ...partial, targets: checkTargets(partial) }
    console.log(markdown(report))
    const files = writeReport(report, path.join(ROOT, 'bench/results'))
    log(`report: ${files.json}, ${files.html}; all runs: ${files.index}`)
  } finally {
    tree?.stop()
    if (process.env.LOADGEN_CPU_PROF) await Promise.all(loadgenExits).catch(() => {}) // their profiles written
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
    await target?.close()
    await adminQuery(`drop database if exists ${dbName} with (force)`).catch(() => {})
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)

/**
 * Submit → watcher latencies: the k-th submission acknowledged (in time order) reached the watcher
 * with the first progress whose submitted count was k or more. A count that arrived before the ack
 * (the push and the HTTP answer travel separately) is 0: the watcher knew no later than the taker.
 */
function pushLatencies(acks: number[], seen: { at: number; submitted: number }[]): Samples {
  const sorted = [...acks].sort((a, b) => a - b)
  const out = new Samples()
  let e = 0
  for (let k = 0; k < sorted.length; k++) {
    while (e < seen.length && seen[e].submitted < k + 1) e++
    if (e === seen.length) break
    out.add(Math.max(0, seen[e].at - sorted[k]))
  }
  return out
}

/**
 * The shared database pool as one worker saw it each second (absent on the embedded database):
 * over the start wave and over the whole run, the worst second's wait p99 and hold p99, the
 * median second's hold p50, the most requests waiting at once, and checkouts per second.
 */
function poolSummary(metrics: { t: number; databasePool?: PoolReading }[], startWave: { from: number; to: number }) {
  const seconds = metrics.filter((m) => m.databasePool && m.databasePool.checkouts > 0)
  if (seconds.length === 0) return undefined
  const over = (rows: typeof seconds) => {
    const d = rows.map((m) => m.databasePool!)
    return {
      waitP99MsMax: Math.max(0, ...d.map((x) => x.waitMs.p99)),
      heldP50MsMedian: percentile(
        d.map((x) => x.heldMs.p50),
        50,
      ),
      heldP99MsMax: Math.max(0, ...d.map((x) => x.heldMs.p99)),
      waitingMax: Math.max(0, ...d.map((x) => x.waitingMax)),
      checkoutsPerSecond: Math.round(d.reduce((n, x) => n + x.checkouts, 0) / Math.max(1, d.length)),
    }
  }
  return {
    size: seconds[0].databasePool!.size,
    startWave: over(seconds.filter((m) => m.t >= startWave.from && m.t <= startWave.to)),
    run: over(seconds),
  }
}
