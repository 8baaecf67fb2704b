// `npm run bench [-- --takers 20000 --secretaries 20 --save-interval 1000 --find-max]`
// Starts the server on a PostgreSQL database it creates, measures baselines in the same run,
// drives a simulated exam day from separate load-generator processes and reports ratios.
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
import { Samples, round } from './stats.js'
import { mintTokens } from './tokens.js'
import { markdown, writeReport, type BenchReport } from './report.js'
import type { LoadgenConfig, LoadgenResult } from './loadgen.js'
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
    'login-sample': { type: 'string', default: '200' },
    workers: { type: 'string', default: '2' },
    'find-max': { type: 'boolean', default: false },
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
const WORKERS = Number(args.workers)
const ROOT = path.resolve(import.meta.dirname, '../..')
const JWT_SECRET = randomBytes(24).toString('hex')
const PASSWORD = 'Bench-2026-pass'
const log = (m: string) => console.error(`[bench] ${m}`)

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
  adminToken: string
  rootOrgId: number
  takers: string[]
  password: string
  /** Sessions for people who do not log in through the API (minted, or logged in up front). */
  tokenOf(username: string): Promise<string | undefined>
  secretaryTokens: string[]
  /** Takers whose login is measured (the others get `tokenOf`). */
  loginSample: number
  /** Direct database access, when the target allows it (PostgreSQL). */
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
  log(`seeding ${TAKERS} takers and ${SECRETARIES} secretaries`)
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
  for (let i = 0; i < TAKERS; i += 2000) {
    await handle.db
      .insertInto('users')
      .values(
        Array.from({ length: Math.min(2000, TAKERS - i) }, (_, j) => ({
          username: `b${i + j}`,
          name: `考生${i + j}`,
          role: 'member' as const,
          org_id: units[(i + j) % units.length].id,
          password_hash: hash,
        })),
      )
      .execute()
  }
  await handle.db
    .insertInto('users')
    .values(units.map((u, i) => ({ username: `s${i}`, name: `书记${i}`, role: 'secretary' as const, org_id: u.id, password_hash: hash })))
    .execute()
  const users = await handle.db.selectFrom('users').select(['id', 'username']).execute()
  const minted = await mintTokens(
    handle.db,
    users.filter((u) => u.username !== 'admin').map((u) => u.id),
    JWT_SECRET,
  )
  const tokenByName = new Map(users.map((u) => [u.username, minted.get(u.id)!]))
  await handle.close()
  const server = await startMain({ DATABASE_URL: url.toString(), JWT_SECRET, LOG_LEVEL: 'warn', DATA_DIR: '/tmp/xuece-bench-unused' })
  await waitFor(server, /已启动/)
  const base = `http://127.0.0.1:${server.port}`
  return {
    base,
    adminToken: await loginVia(base, 'admin', PASSWORD),
    rootOrgId: root.id,
    password: PASSWORD,
    takers: Array.from({ length: TAKERS }, (_, i) => `b${i}`),
    tokenOf: async (u) => tokenByName.get(u),
    secretaryTokens: units.map((_, i) => tokenByName.get(`s${i}`)!),
    loginSample: Math.min(Number(args['login-sample']), TAKERS),
    close: async () => {
      await stop(server)
      const out = server.output()
      if (out.length > 10_000) log(`server wrote ${out.length} bytes of output; last lines:\n${out.slice(-1500)}`)
      await adminQuery(`drop database if exists ${dbName} with (force)`).catch(() => {})
    },
  }
}

/** Embedded PGlite: `npm start` on a fresh data directory, the demo department takes the exam. */
async function embeddedTarget(): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-bench-'))
  const server = await startMain({ DATABASE_URL: undefined, DATA_DIR: dataDir, LOG_LEVEL: 'warn' })
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
    adminToken,
    rootOrgId: orgs.find((o) => o.parentId === null).id,
    password: DEMO_PASSWORD,
    takers: users
      .filter((u) => u.role === 'member')
      .map((u) => u.username)
      .slice(0, TAKERS),
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

async function main() {
  const dbName = `xuece_bench_${Date.now().toString(36)}`
  await adminQuery(`create database ${dbName}`)
  const url = new URL(args.database!)
  url.pathname = `/${dbName}`
  const children: ChildProcess[] = []
  let target: Target | undefined
  try {
    // ── baselines, same machine, same run (the upsert baseline always on PostgreSQL) ──
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
    baseline.kill('SIGTERM')
    log(`bare ${bare.rps}/s, upsert ${upsert.rps}/s p99 ${upsert.latency.p99} ms`)

    // ── the server under test ──
    target = args.embedded ? await embeddedTarget() : await postgresTarget(url, dbName)
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
    const pushLatency = new Samples()
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
      const acks = [...submitAcks].sort((a, b) => a - b)
      while (matched < Math.min(p.submitted, acks.length)) pushLatency.add(now - acks[matched++])
    })

    // ── metrics sampling ──
    const t0 = Date.now()
    const metrics: any[] = []
    // Only real samples: under overload the metrics call itself may answer with an error body.
    const sampler = setInterval(async () => {
      const m = await authed('/api/health/metrics').catch(() => null)
      if (m?.eventLoopDelayMs) metrics.push({ t: (Date.now() - t0) / 1000, ...m })
    }, 1000)

    // ── load generators ──
    log(`exam day: ${takerCount} takers over ${WORKERS} load generators, ${START_RATE} starts/s, a save every ~${SAVE_INTERVAL} ms`)
    const startBase = Date.now() + 5000
    const plan = await Promise.all(
      target.takers.map(async (username, i) => ({
        username,
        password: target!.password,
        token: i < loginSample ? undefined : await target!.tokenOf(username),
        startAt: startBase + (i / START_RATE) * 1000,
      })),
    )
    const results = await Promise.all(
      Array.from(
        { length: WORKERS },
        (_, w) =>
          new Promise<LoadgenResult>((resolve) => {
            const mine = plan.filter((_, i) => i % WORKERS === w)
            const child = fork(path.join(import.meta.dirname, 'loadgen.ts'), { execArgv: ['--import', 'tsx'] })
            children.push(child)
            child.on('message', (m: any) => {
              if (m.type === 'submitted') submitAcks.push(m.at)
              if (m.type === 'done') {
                resolve(m.result)
                child.kill()
              }
            })
            const config: LoadgenConfig = {
              base,
              examId: exam.id,
              takers: mine,
              startAt: mine.map((p) => p.startAt),
              saveIntervalMs: SAVE_INTERVAL,
              answersPerTaker: ANSWERS,
            }
            child.send(config)
          }),
      ),
    )
    await new Promise((r) => setTimeout(r, 1500)) // last pushes
    clearInterval(sampler)

    // ── saturation ──
    let findMax: BenchReport['findMax']
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
      const open: { id: number; token: string; q: number[] }[] = []
      for (const username of target.takers.slice(0, 1000)) {
        const token = (await target.tokenOf(username))!
        const r = await fetch(`${base}/api/exams/${exam2.id}/attempts`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: '{}',
        }).then((x) => x.json() as Promise<any>)
        open.push({ id: r.attemptId, token, q: r.questions.filter((q: any) => q.type === 'judge').map((q: any) => q.id) })
      }
      const steps: NonNullable<BenchReport['findMax']>['steps'] = []
      for (const connections of [16, 32, 64, 128, 256, 512]) {
        const r = await closedLoop(base, connections, 5, (i) => {
          const a = open[i % open.length]
          return {
            method: 'PUT',
            path: `/api/attempts/${a.id}/answers/${a.q[i % a.q.length]}`,
            body: JSON.stringify({ answer: i % 2 === 0 }),
            headers: { authorization: `Bearer ${a.token}` },
          }
        })
        steps.push({ connections, rps: r.rps, p99: r.latency.p99, errors: r.errors })
        log(`  ${connections} connections: ${r.rps}/s, p99 ${r.latency.p99} ms, errors ${r.errors}`)
        if ((r.latency.p99 ?? 0) > 100 || r.errors > 0) break
      }
      const ok = steps.filter((s) => (s.p99 ?? 1e9) <= 100 && s.errors === 0)
      const sustained = ok.length ? Math.max(...ok.map((s) => s.rps)) : 0
      findMax = { steps, sustained, ratioToUpsert: upsert.rps ? round(sustained / upsert.rps, 2) : null }
    }
    watchers.forEach((s) => s.close())
    all.close()

    // ── report ──
    const merge = (k: 'login' | 'start' | 'save' | 'submit') => {
      const s = new Samples()
      s.addAll(results.flatMap((r) => r[k]))
      return s.summary()
    }
    const saveTimes = results.flatMap((r) => r.saveTimes).sort((a, b) => a - b)
    const perSecond = new Map<number, number>()
    for (const t of saveTimes) perSecond.set(Math.floor((t - t0) / 1000), (perSecond.get(Math.floor((t - t0) / 1000)) ?? 0) + 1)
    const rates = [...perSecond.values()]
    const errors: Record<string, number> = {}
    for (const r of results) for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v
    const save = merge('save')
    const latencyTimeline = new Samples(t0)
    const report: BenchReport = {
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
        loginSample,
        workers: WORKERS,
      },
      baselines: {
        bare: { rps: bare.rps, p99: bare.latency.p99 },
        upsert: { rps: upsert.rps, median: upsert.latency.median, p99: upsert.latency.p99 },
      },
      figures: [
        { name: 'login (real Argon2id)', ...merge('login'), unit: 'ms' },
        { name: 'attempt start', ...merge('start'), unit: 'ms', target: `p99 ≤ 300 ms at ${START_RATE}/s` },
        {
          name: 'autosave',
          ...save,
          unit: 'ms',
          ratio: save.p99 && upsert.latency.p99 ? `p99 ${round(save.p99 / upsert.latency.p99, 2)}× upsert p99` : undefined,
          target: 'p99 ≤ 50 ms at 2,000/s',
        },
        { name: 'submit', ...merge('submit'), unit: 'ms' },
        { name: 'push: submit → watcher exam:progress', ...pushLatency.summary(), unit: 'ms', target: 'p99 ≤ 500 ms' },
      ],
      throughput: {
        autosavePerSecPeak: rates.length ? Math.max(...rates) : 0,
        autosavePerSecMean: rates.length ? Math.round(rates.reduce((a, b) => a + b, 0) / rates.length) : 0,
        ratioToUpsert: rates.length && upsert.rps ? round(Math.max(...rates) / upsert.rps, 2) : null,
      },
      findMax,
      server: {
        rssMbMax: Math.max(0, ...metrics.map((m) => m.rssMb)),
        cpuCoresMean: round(metrics.reduce((s, m) => s + m.cpuCores, 0) / Math.max(1, metrics.length), 2) ?? 0,
        eventLoopP99MsMax: Math.max(0, ...metrics.map((m) => m.eventLoopDelayMs.p99)),
        socketsMax: Math.max(0, ...metrics.map((m) => m.sockets)),
      },
      timeline: {
        latency: latencyTimeline.timeline,
        throughput: [...perSecond.entries()].sort((a, b) => a[0] - b[0]),
        connections: metrics.map((m) => [Math.round(m.t), m.sockets] as [number, number]),
      },
      errors,
    }
    // Latency over time: sample the save latencies against their completion times.
    results.forEach((r) =>
      r.save.forEach(
        (ms, i) =>
          report.timeline.latency.length < 20_000 &&
          report.timeline.latency.push([round((r.saveTimes[i] - t0) / 1000) ?? 0, round(ms) ?? 0]),
      ),
    )
    console.log(markdown(report))
    const files = writeReport(report, path.join(ROOT, 'bench/results'))
    log(`report: ${files.json} and ${files.html}`)
  } finally {
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
