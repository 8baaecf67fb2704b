// From one run's raw measurements (the baselines, the exam day's load-generator results, the
// server's metrics each second, the process tree's samples, the saturation steps) to the report's
// figures, which report.ts then checks against the targets and renders.
import os from 'node:os'
import { Samples, percentile, round } from './stats.js'
import { meanCores, type TreeSample } from './proc.js'
import type { Baselines } from './baselines.js'
import type { BenchOptions } from './options.js'
import type { ExamDay, MetricsSecond } from './exam-day.js'
import type { ServerUnderTest } from './server-under-test.js'
import type { StormOutcome } from './storm.js'
import type { BenchReport, CoreSecond, WindowSummary } from './report.js'

export interface RunMeasurements {
  options: BenchOptions
  sut: ServerUnderTest
  baselines: Baselines
  day: ExamDay
  findMax?: BenchReport['findMax']
  findMaxSocket?: BenchReport['findMaxSocket']
  /** The server's process tree each second, over the whole run (saturation steps included). */
  treeSamples: TreeSample[]
}

/** A save as a taker measured it: how long it took, when it was sent and when it was answered (ms since epoch). */
interface Save {
  ms: number
  sent: number
  at: number
}

export function assembleReport(m: RunMeasurements): Omit<BenchReport, 'targets'> {
  const { options, sut, day, treeSamples } = m
  const { bare, upsert, batched } = m.baselines
  const { results: generators, t0, storm } = day
  const takerCount = sut.takers.length
  const rel = (t: number) => round((t - t0) / 1000, 1) ?? 0
  /** One latency over every load generator's takers, summarised. */
  const latencyOf = (k: 'login' | 'open' | 'start' | 'submit') => {
    const s = new Samples()
    s.addAll(generators.flatMap((r) => r[k]))
    return s.summary()
  }
  /** A count summed over the load generators. */
  const total = (k: 'loginBusy' | 'opened' | 'connected' | 'connectedAfterRetry' | 'neverConnected' | 'savesOverHttp') =>
    generators.reduce((n, r) => n + r[k], 0)
  // Autosaves by when they were sent: the storm windows, the same-length window before, the rest.
  const saves: Save[] = generators.flatMap((r) => r.save.map((ms, i) => ({ ms, sent: r.saveSent[i], at: r.saveTimes[i] })))
  const stormWindows = storm ? [storm.logins, ...(storm.refresh ? [storm.refresh] : [])] : []
  const inStorm = (t: number) => stormWindows.some((w) => t >= w.from && t <= w.to)
  const saveAll = new Samples()
  saveAll.addAll(saves.map((x) => x.ms))
  const saveCalm = new Samples()
  saveCalm.addAll(saves.filter((x) => !inStorm(x.sent)).map((x) => x.ms))
  // The probe's takers alone, outside the storms as above, and its own loop's worst second.
  const probe = day.probeCount ? generators[day.loadgens] : undefined
  const probeCalm = new Samples()
  if (probe) probeCalm.addAll(probe.save.filter((_, i) => !inStorm(probe.saveSent[i])))
  const probeLoopMax = probe ? Math.max(0, ...probe.loopDelay.map(([, ms]) => ms)) : 0
  const perSecond = new Map<number, number>()
  for (const { at } of saves) perSecond.set(Math.floor((at - t0) / 1000), (perSecond.get(Math.floor((at - t0) / 1000)) ?? 0) + 1)
  const rates = [...perSecond.values()]
  const errors: Record<string, number> = {}
  for (const r of generators) addUp(errors, r.errors)
  const worstLoadgenLoop = worstLoadgenLoopBySecond(generators)
  const examTree = treeSamples.filter((s) => s.at >= t0 && s.at <= day.examEnd)
  const examCores = meanCores(examTree)
  // The start wave: from the first scheduled start to two seconds after the last.
  const startWave = { from: day.startBase, to: day.startBase + (takerCount / options.startRate) * 1000 + 2000 }
  const saveOverSocket = options.saveOver === 'socket'

  const report: Omit<BenchReport, 'targets'> = {
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model ?? '?',
      memGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      date: new Date().toISOString(),
    },
    params: {
      mode: options.embedded ? 'embedded PGlite' : 'PostgreSQL',
      takers: takerCount,
      secretaries: sut.secretaryTokens.length,
      saveIntervalMs: options.saveIntervalMs,
      answersPerTaker: options.answers,
      startRate: options.startRate,
      connectRate: options.connectRate,
      loginSample: Math.min(sut.loginSample, takerCount),
      workers: options.embedded ? 1 : options.workers,
      proxy: options.proxy ?? 'none',
      connections: options.sharedConnections ? 'shared' : 'one per taker',
      saveOver: options.saveOver,
      loadgens: day.loadgens,
      probe: day.probeCount,
      storm: options.storm,
      warm: options.warm,
    },
    baselines: {
      bare: { rps: bare.rps, p99: bare.latency.p99 },
      upsert: { rps: upsert.rps, median: upsert.latency.median, p99: upsert.latency.p99 },
      batched: { rps: batched.rps, median: batched.latency.median, p99: batched.latency.p99, errors: batched.errors },
    },
    figures: [
      {
        name: 'login (real Argon2id, a sample paced with the starts)',
        ...latencyOf('login'),
        unit: 'ms',
        ratio: `${total('loginBusy')} told 503 BUSY first`,
      },
      ...(options.sharedConnections ? [] : [{ name: 'app open: first request on a new connection', ...latencyOf('open'), unit: 'ms' }]),
      { name: 'attempt start', ...latencyOf('start'), unit: 'ms' },
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
              name: `probe: autosave${storm ? ' outside the storms' : ''} of its ${day.probeCount} takers, in a load generator of their own`,
              ...probeCalm.summary(),
              unit: 'ms',
              ratio: `its event loop's worst second p99 ${probeLoopMax} ms`,
            },
          ]
        : []),
      { name: 'submit', ...latencyOf('submit'), unit: 'ms' },
      { name: 'push: submit → watcher exam:progress', ...pushLatencies(day.submitAcks, day.progressSeen).summary(), unit: 'ms' },
      { name: 'push, matched as acks arrived (before 2026-12-04)', ...day.pushLatencyAsArrived.summary(), unit: 'ms' },
    ],
    throughput: {
      autosavePerSecPeak: rates.length ? Math.max(...rates) : 0,
      autosavePerSecMean: rates.length ? Math.round(rates.reduce((a, b) => a + b, 0) / rates.length) : 0,
      ratioToUpsert: rates.length && upsert.rps ? round(Math.max(...rates) / upsert.rps, 2) : null,
    },
    findMax: m.findMax,
    findMaxSocket: m.findMaxSocket,
    sockets: {
      takers: takerCount,
      opened: total('opened'),
      connected: total('connected'),
      connectedAfterRetry: total('connectedAfterRetry'),
      neverConnected: total('neverConnected'),
      connectErrors: generators.reduce((into, r) => addUp(into, r.connectErrors), {} as Record<string, number>),
      disconnects: generators.reduce((into, r) => addUp(into, r.disconnects), {} as Record<string, number>),
      openMax: Math.max(0, ...day.connections.map((c) => c[1])),
      savesOverHttp: saveOverSocket ? total('savesOverHttp') : undefined,
    },
    storm: storm && stormFigures(storm, (from, to) => within(saves, from, to, rel)),
    server: {
      workers: options.embedded ? 1 : options.workers,
      processesMax: Math.max(0, ...treeSamples.map((s) => s.processes)),
      rssMbMax: Math.max(0, ...treeSamples.map((s) => s.rssMb)),
      cpuCoresMean: round(examTree.reduce((n, s) => n + s.cpuCores, 0) / Math.max(1, examTree.length), 2) ?? 0,
      eventLoopP99MsMax: Math.max(0, ...day.metrics.map((x) => x.eventLoopDelayMs.p99)),
      pool: poolSummary(day.metrics, { from: rel(startWave.from), to: rel(startWave.to) }),
      cores: examCores && {
        startWave: meanCores(treeSamples.filter((s) => s.at >= startWave.from && s.at <= startWave.to)),
        run: examCores,
      },
    },
    timeline: {
      latency: thinned(saves, rel),
      throughput: [...perSecond.entries()].sort((a, b) => a[0] - b[0]),
      connections: day.connections,
      rss: treeSamples.map((s) => [rel(s.at), s.rssMb] as [number, number]),
      // Each second: [s, machine, server, its event loops on a CPU, the same waiting for one, PostgreSQL, load generators] (cores).
      cores: treeSamples.flatMap((s) =>
        s.cores
          ? [[rel(s.at), s.cores.machine, s.cpuCores, s.cores.loopRun, s.cores.loopWait, s.cores.postgres, s.cores.loadgens] as CoreSecond]
          : [],
      ),
      serverLoop: day.metrics.map((x) => [round(x.t, 1) ?? 0, x.eventLoopDelayMs.p99] as [number, number]),
      // The answering worker's shared pool each second: [s, wait p99, held p50, held p99, waiting max, checkouts].
      serverPool: day.metrics.flatMap((x) => {
        const d = x.databasePool
        return d ? [[round(x.t, 1) ?? 0, d.waitMs.p99, d.heldMs.p50, d.heldMs.p99, d.waitingMax, d.checkouts]] : []
      }),
      // The answering worker's RSS and JS heap (MB): what of its memory is JavaScript objects.
      serverMemory: day.metrics.map((x) => [round(x.t, 1) ?? 0, x.rssMb, x.heapUsedMb] as [number, number, number]),
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
  return report
}

const addUp = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v
  return into
}

/** The saves sent within [from, to] (ms since epoch), summarised. */
function within(saves: Save[], from: number, to: number, rel: (t: number) => number): WindowSummary {
  const s = new Samples()
  s.addAll(saves.filter((x) => x.sent >= from && x.sent <= to).map((x) => x.ms))
  return { ...s.summary(), fromS: rel(from), toS: rel(to) }
}

/** Latency over time: [seconds, ms] of at most 20,000 saves, evenly thinned. */
function thinned(saves: Save[], rel: (t: number) => number): [number, number][] {
  const every = Math.max(1, Math.ceil(saves.length / 20_000))
  const out: [number, number][] = []
  for (let i = 0; i < saves.length; i += every) out.push([rel(saves[i].at), round(saves[i].ms) ?? 0])
  return out
}

/** Each second, the load generator whose loop was slowest: its delay is in what it measured then. */
function worstLoadgenLoopBySecond(results: ExamDay['results']): [number, number][] {
  const bySecond = new Map<number, number>()
  for (const r of results)
    for (const [at, ms] of r.loopDelay) bySecond.set(Math.round(at / 1000), Math.max(bySecond.get(Math.round(at / 1000)) ?? 0, ms))
  return [...bySecond.entries()].sort((a, b) => a[0] - b[0]).map(([s, ms]) => [s * 1000, ms])
}

/** The storms' own figures, and the takers' autosave in the window before, during each storm. */
function stormFigures(storm: NonNullable<ExamDay['storm']>, window: (from: number, to: number) => WindowSummary): BenchReport['storm'] {
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
      before: window(Math.max(storm.steadyFrom, l.from - length), l.from),
      during: window(l.from, l.to),
      duringRefresh: storm.refresh ? window(storm.refresh.from, storm.refresh.to) : undefined,
    },
  }
}

/**
 * Submit → watcher latencies: the k-th submission acknowledged (in time order) reached the watcher
 * with the first progress whose submitted count was k or more. A count that arrived before the ack
 * (the push and the HTTP answer travel separately) is 0: the watcher knew no later than the taker.
 */
export function pushLatencies(acks: number[], seen: { at: number; submitted: number }[]): Samples {
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
function poolSummary(metrics: MetricsSecond[], startWave: { from: number; to: number }) {
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
