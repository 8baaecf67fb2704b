// The simulated exam day, as raw measurements: the admin sets a timed exam for the whole
// department; secretaries (and the admin, for the department's count) watch it live; the takers,
// dealt over the load-generator processes (loadgen.ts), open the app, connect their socket, start on
// a schedule of `--start-rate` a second, save and submit. With a storm, everyone stays in the exam
// saving while 500 people log in at once and then refresh at once (storm.ts), and only then do the
// takers submit, in start order.
import path from 'node:path'
import { io } from 'socket.io-client'
import { dealTakers } from './deal.js'
import { Samples } from './stats.js'
import { loginStorm, refreshStorm, type StormOutcome } from './storm.js'
import type { BenchChildren } from './children.js'
import type { BenchOptions } from './options.js'
import type { ServerUnderTest } from './server-under-test.js'
import { officeAddress } from './addresses.js'
import type { LoadgenConfig, LoadgenMessage, LoadgenResult } from './loadgen.js'
import type { PoolReading } from '../../server/db/pool-meter.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

/** What the server's `/api/health/metrics` said each second (from the worker that answered). */
export interface MetricsSecond {
  /** Seconds since the exam phase began. */
  t: number
  eventLoopDelayMs: { p99: number }
  databasePool?: PoolReading
  rssMb: number
  heapUsedMb: number
}

export interface StormPhase {
  logins: StormOutcome
  refresh?: StormOutcome
  /** From here every taker had saved at least once: the window compared with the storm starts no earlier. */
  steadyFrom: number
}

export interface ExamDay {
  /** The exam as the API returned it on creation (find-max sets a second one like it). */
  exam: { id: number } & Record<string, unknown>
  /** When the exam phase began, when the first start was scheduled, and when the last push had time to arrive (ms since epoch). */
  t0: number
  startBase: number
  examEnd: number
  /** One result per process: the load generators, then the probe (when there is one). */
  results: LoadgenResult[]
  loadgens: number
  probeCount: number
  /** Submissions as their takers saw them acknowledged, and every `exam:progress` the admin's watcher received. */
  submitAcks: number[]
  progressSeen: { at: number; submitted: number }[]
  /** Push latency as matched while the acks arrived (the figure before 2026-12-04, still reported). */
  pushLatencyAsArrived: Samples
  metrics: MetricsSecond[]
  /** Each second: [seconds since t0, sockets the load generators held open]. */
  connections: [number, number][]
  storm?: StormPhase
  closeWatchers(): void
}

/** A request to the API as the admin: JSON in, JSON out. */
export function asAdmin(sut: ServerUnderTest, p: string, body?: unknown): Promise<any> {
  return fetch(sut.base + p, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${sut.adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json())
}

/** The exam of the day: 25 questions of three types, two hours, results at once, one attempt. */
async function createExam(sut: ServerUnderTest) {
  const exam = await asAdmin(sut, '/api/exams', {
    title: '党史知识集中测试（压测）',
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
    durationMinutes: 120,
    audienceOrgIds: [sut.rootOrgId],
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
  return exam as ExamDay['exam']
}

export async function runExamDay(
  sut: ServerUnderTest,
  options: BenchOptions,
  children: BenchChildren,
  log: (line: string) => void,
): Promise<ExamDay> {
  const { base } = sut
  const exam = await createExam(sut)
  const takerCount = sut.takers.length
  const loginSample = Math.min(sut.loginSample, takerCount)

  // ── secretaries watch their units; push latency = progress arrival − submit ack ──
  const submitAcks: number[] = []
  // Every progress the admin's watcher received, matched to the acks once the run is over.
  // Matching as the acks arrived (the figure before 2026-12-04, still reported) charged a later
  // push with every ack that reached this process over IPC from a busy load generator after the
  // progress that had already counted it.
  const progressSeen: ExamDay['progressSeen'] = []
  const pushLatencyAsArrived = new Samples()
  let matched = 0
  const watchers = sut.secretaryTokens.map((token) => {
    const s = io(base, { transports: ['websocket'], auth: { token } })
    s.on('connect', () => s.emit('exam:watch', { examId: exam.id }))
    return s
  })
  // One watcher sees the whole department: the admin.
  const all = io(base, { transports: ['websocket'], auth: { token: sut.adminToken } })
  all.on('connect', () => all.emit('exam:watch', { examId: exam.id }))
  all.on('exam:progress', (p: { submitted: number }) => {
    const now = Date.now()
    progressSeen.push({ at: now, submitted: p.submitted })
    const acks = [...submitAcks].sort((a, b) => a - b)
    while (matched < Math.min(p.submitted, acks.length)) pushLatencyAsArrived.add(now - acks[matched++])
  })

  // ── load generators: loaded first, then the schedule ──
  const loadgens = Math.min(options.loadgens, Math.max(1, takerCount))
  // The probe: a few takers spread over the start order, in a process of their own. Every phone's
  // latency includes its load generator's event-loop delay, and a generator holding a thousand
  // phones lags in the start wave; the probe's loop has almost nothing else to do.
  const probeCount = Math.min(options.probe, Math.floor(takerCount / 10))
  const hold = options.storm > 0
  log(
    `exam day: ${takerCount} takers over ${loadgens} load generators, server with ${options.workers} worker(s); ` +
      `sockets at ≤ ${options.connectRate}/s, ${options.startRate} starts/s, a save every ~${options.saveIntervalMs} ms` +
      (probeCount ? `; ${probeCount} of the takers in a probe process of their own` : '') +
      (hold ? `; a storm of ${options.storm} logins and ${options.storm} refreshes once all are in the exam` : ''),
  )
  const procs = Array.from({ length: loadgens + (probeCount ? 1 : 0) }, () => {
    // `LOADGEN_CPU_PROF=<dir>` writes a V8 CPU profile of each load generator as it finishes.
    const profile = process.env.LOADGEN_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LOADGEN_CPU_PROF}`] : []
    return children.forkLoadgen(path.join(import.meta.dirname, 'loadgen.ts'), profile)
  })
  await Promise.all(procs.map((c) => new Promise<void>((r) => c.once('message', () => r()))))
  const startBase = Date.now() + 3000
  const pace = Math.min(options.startRate, options.connectRate)
  const plan = await Promise.all(
    sut.takers.map(async (username, i) => ({
      username,
      password: sut.password,
      token: i < loginSample ? undefined : await sut.tokenOf(username),
      address: officeAddress(i),
      connectAt: startBase - 2000 + (i / pace) * 1000,
      startAt: startBase + (i / options.startRate) * 1000,
      submitOffsetMs: (i / options.startRate) * 1000,
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
            takers: mine.map(({ username, password, token, address }) => ({ username, password, token, address })),
            connectAt: mine.map((p) => p.connectAt),
            startAt: mine.map((p) => p.startAt),
            submitOffsetMs: mine.map((p) => p.submitOffsetMs),
            saveIntervalMs: options.saveIntervalMs,
            answersPerTaker: options.answers,
            hold,
            sharedConnections: options.sharedConnections,
            saveOver: options.saveOver,
          }
          child.send(config)
        }),
    ),
  )
  results.catch(() => {}) // handled where awaited; a generator failing mid-storm must not crash the run
  // The first sample of each source covers time before the run: only what follows counts.
  await asAdmin(sut, '/api/health/metrics').catch(() => null)
  const metrics: MetricsSecond[] = []
  const connections: [number, number][] = []
  // Only real samples: under overload the metrics call itself may answer with an error body.
  const sampler = setInterval(async () => {
    connections.push([Math.round((Date.now() - t0) / 1000), [...openSockets.values()].reduce((a, b) => a + b, 0)])
    const m = await asAdmin(sut, '/api/health/metrics').catch(() => null)
    if (m?.eventLoopDelayMs) metrics.push({ t: (Date.now() - t0) / 1000, ...m })
  }, 1000)

  // ── the storm phase: takers in the exam and saving; logins, then refreshes, at once ──
  let storm: StormPhase | undefined
  if (hold) {
    const lastStart = startBase + (takerCount / options.startRate) * 1000
    const inTime = await Promise.race([allInExamP.then(() => true), sleep(lastStart - Date.now() + 120_000).then(() => false)])
    if (!inTime) log(`only ${inExam} of ${takerCount} takers in the exam after 2 minutes; the storm goes ahead`)
    storm = await stormWhileSaving(sut, options, log).finally(() => {
      const at = Date.now()
      for (const c of procs) if (c.connected) c.send({ type: 'release', at })
    })
  }
  const done = await results
  await sleep(1500) // last pushes
  clearInterval(sampler)
  return {
    exam,
    t0,
    startBase,
    examEnd: Date.now(),
    results: done,
    loadgens,
    probeCount,
    submitAcks,
    progressSeen,
    pushLatencyAsArrived,
    metrics,
    connections,
    storm,
    closeWatchers: () => {
      watchers.forEach((s) => s.close())
      all.close()
    },
  }
}

/** Every taker in the exam and saving: `storm` real logins at once, then their refreshes at once. */
async function stormWhileSaving(sut: ServerUnderTest, options: BenchOptions, log: (line: string) => void): Promise<StormPhase> {
  // Every taker has saved at least once before the window that the storm is compared with.
  const steadyFrom = Date.now() + 1.5 * options.saveIntervalMs
  await sleep(Math.max(10_000, 3 * options.saveIntervalMs, options.storm * 40))
  log(`login storm: ${options.storm} real logins at once`)
  const ls = await loginStorm(sut.base, sut.stormUsers, sut.password)
  log(
    `  ${ls.outcome.latency.count} signed in in ${((ls.outcome.to - ls.outcome.from) / 1000).toFixed(1)} s, ` +
      `${ls.outcome.busy} told 503 BUSY; p99 ${ls.outcome.latency.summary().p99} ms`,
  )
  const storm: StormPhase = { logins: ls.outcome, steadyFrom }
  await sleep(2000)
  if (ls.refreshTokens.length) {
    log(`refresh storm: ${ls.refreshTokens.length} refreshes at once`)
    storm.refresh = await refreshStorm(sut.base, ls.refreshTokens)
    log(`  p99 ${storm.refresh.latency.summary().p99} ms`)
    await sleep(2000)
  }
  return storm
}
