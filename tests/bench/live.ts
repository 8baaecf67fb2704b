// Live-game scenarios of the bench (`npm run bench -- --scenario duels|contest`):
//   --scenario duels --duels 1000      1,000 concurrent 双人对战 (2,000 sockets): battle:round push
//                                      latency, from the round's end (its last answer, or endsAt
//                                      when someone left it unanswered) to each phone's receipt.
//   --scenario contest --players 2000  one 现场竞答 of 2,000 phones: fan-out of each question and
//                                      each reveal, from the host's contest:next to each receipt.
// The real server runs as `npm start` would, on a PostgreSQL database of its own, seeded directly,
// sessions minted (no login storm, no login throttle); sockets connect at --connect-rate per second
// and join at --join-rate per second, from --loadgens load-generator processes (default 2); the
// server runs --workers worker processes (WORKERS, default 1). The same scenario
// first runs against a bare socket.io server speaking the same events (live-baseline.ts): the
// report gives each figure with its ratio to that baseline.
import os from 'node:os'
import fs from 'node:fs'
import path from 'node:path'
import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import { adminStatement } from '../helpers/pg-client.js'
import { io, type Socket } from 'socket.io-client'
import { openDatabase } from '../../server/db/connect.js'
import { migrateToLatest } from '../../server/db/migrator.js'
import { hashPassword } from '../../server/lib/passwords.js'
import { insertOrg } from '../../server/modules/orgs/queries.js'
import { syncBank, BANK_DIR } from '../../server/modules/questions/bank-sync.js'
import { DEFAULT_BATTLE_TIMING } from '../../server/modules/battles/index.js'
import { startMain, stop, waitFor } from '../helpers/process.js'
import { Samples, round } from './stats.js'
import { mintTokens } from './tokens.js'
import type { LiveLoadgenConfig, LiveLoadgenResult } from './live-loadgen.js'

export const LIVE_SCENARIOS = ['duels', 'contest'] as const
type Kind = (typeof LIVE_SCENARIOS)[number]

const log = (m: string) => console.error(`[bench:live] ${m}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
const ROOT = path.resolve(import.meta.dirname, '../..')
const T = DEFAULT_BATTLE_TIMING

interface Player {
  userId: number
  /** Pair (duels) or unit the player belongs to; the baseline pairs by it. */
  group: number
  idle: boolean
}
interface Target {
  name: 'baseline' | 'server'
  base: string
  tokenOf(p: Player): string
  /** The host's socket token (contest). */
  hostToken: string
  /** Creates the contest, when the target has contests to create; returns its id and PIN. */
  createContest?(): Promise<{ id: number; pin: string }>
  /** Process figures sampled while the scenario ran (the real server). */
  metrics?(): Promise<Metric | null>
}
interface Metric {
  rssMb: number
  cpuCores: number
  eventLoopDelayMs: { p99: number }
  sockets: number
}
interface Outcome {
  results: LiveLoadgenResult[]
  figures: Record<string, Samples>
  counts: Record<string, number>
  errors: Record<string, number>
  metrics: Metric[]
}

export async function runLive(argv: string[]) {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      duels: { type: 'string', default: '1000' },
      players: { type: 'string', default: '2000' },
      questions: { type: 'string', default: '5' },
      workers: { type: 'string', default: '1' },
      loadgens: { type: 'string', default: '2' },
      'connect-rate': { type: 'string', default: '200' },
      'join-rate': { type: 'string', default: '100' },
      'idle-share': { type: 'string', default: '0.1' },
      database: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    },
  })
  const kind = args.scenario as Kind
  if (!LIVE_SCENARIOS.includes(kind)) throw new Error(`--scenario must be one of ${LIVE_SCENARIOS.join(', ')}`)
  const opts = {
    kind,
    duels: Number(args.duels),
    players: Number(args.players),
    questions: Number(args.questions),
    workers: Math.max(1, Number(args.workers)),
    loadgens: Math.max(1, Number(args.loadgens)),
    connectRate: Number(args['connect-rate']),
    joinRate: Number(args['join-rate']),
    idleShare: Number(args['idle-share']),
  }
  const sockets = kind === 'duels' ? opts.duels * 2 : opts.players
  const admin = (q: string) => adminStatement(args.database!, q)
  const dbName = `xuece_live_${Date.now().toString(36)}`
  await admin(`create database ${dbName}`)
  const url = new URL(args.database!)
  url.pathname = `/${dbName}`
  const jwtSecret = randomBytes(24).toString('hex')
  let server: Awaited<ReturnType<typeof startMain>> | undefined
  let baseline: ChildProcess | undefined
  try {
    // ── seed: one department; a branch per duel pair, or 20 branches sharing the contest's players ──
    log(`seeding ${sockets} players`)
    const seeded = await seed(url.toString(), kind, kind === 'duels' ? opts.duels : opts.players, opts.idleShare, jwtSecret)

    // ── the baseline, same machine, same run ──
    log('baseline: bare socket.io, same events and timing')
    baseline = fork(path.join(import.meta.dirname, 'live-baseline.ts'), {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, LIVE_TIMING: JSON.stringify(T), LIVE_QUESTIONS: String(opts.questions) },
    })
    const basePort = await new Promise<number>((resolve) => baseline!.once('message', (m: any) => resolve(m.port)))
    const bare = await play(
      {
        name: 'baseline',
        base: `http://127.0.0.1:${basePort}`,
        tokenOf: (p) => `${p.userId}:${p.group}`,
        hostToken: '0:host',
        createContest: async () => ({ id: 1, pin: '000000' }),
      },
      seeded.players,
      opts,
    )
    baseline.kill('SIGTERM')

    // ── the server under test ──
    log('server: npm start on PostgreSQL')
    server = await startMain({
      DATABASE_URL: url.toString(),
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: 'warn',
      DATA_DIR: '/tmp/xuece-bench-unused',
      WORKERS: String(opts.workers),
    })
    await waitFor(server, /已启动/)
    const base = `http://127.0.0.1:${server.port}`
    const call = (p: string, body?: unknown) =>
      fetch(base + p, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${seeded.adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((r) => r.json() as Promise<any>)
    const real = await play(
      {
        name: 'server',
        base,
        tokenOf: (p) => seeded.tokens.get(p.userId)!,
        hostToken: seeded.adminToken,
        createContest: async () => {
          const c = await call('/api/contests', {
            title: '主题党日现场竞答（压测）',
            orgId: seeded.rootOrgId,
            questionIds: [],
            draw: { count: opts.questions },
            secondsPerQuestion: 20,
          })
          if (!c.id) throw new Error(`contest not created: ${JSON.stringify(c)}`)
          return c
        },
        metrics: async () => {
          const m = await call('/api/health/metrics').catch(() => null)
          return m?.eventLoopDelayMs ? m : null
        },
      },
      seeded.players,
      opts,
    )
    const out = server.output()
    if (out.length > 2_000) log(`server wrote ${out.length} bytes of output; last lines:\n${out.slice(-1500)}`)

    // ── report ──
    const report = reportOf(kind, opts, sockets, bare, real)
    console.log(report.markdown)
    const dir = path.join(ROOT, 'bench/results')
    fs.mkdirSync(dir, { recursive: true })
    const file = path.join(dir, `bench-${kind}-${report.json.machine.date.replace(/[:.]/g, '-')}.json`)
    fs.writeFileSync(file, JSON.stringify(report.json, null, 2))
    log(`report: ${file}`)
  } finally {
    if (baseline && baseline.exitCode === null) baseline.kill('SIGKILL')
    if (server) await stop(server)
    await admin(`drop database if exists ${dbName} with (force)`).catch(() => {})
  }
}

/** A department with its people: for duels a branch per pair (so partners meet), for a contest 20 branches. */
async function seed(url: string, kind: Kind, n: number, idleShare: number, jwtSecret: string) {
  const handle = await openDatabase({ kind: 'postgres', url, poolSize: 4 })
  try {
    await migrateToLatest(handle.db)
    await syncBank(handle.db, BANK_DIR)
    const root = await insertOrg(handle.db, { name: '压测厅', kind: 'department', parentId: null, parentPath: null })
    const branchCount = kind === 'duels' ? n : 20
    const branches: { id: number; path: string }[] = []
    for (let i = 0; i < branchCount; i++)
      branches.push(
        await insertOrg(handle.db, { name: `压测支部${i + 1}`, kind: 'branch', parentId: root.id, parentPath: root.path, sort: i }),
      )
    const hash = await hashPassword(`Bench-${randomBytes(6).toString('hex')}`)
    const { id: adminId } = await handle.db
      .insertInto('users')
      .values({ username: 'admin', name: '管理员', role: 'admin', org_id: root.id, password_hash: hash })
      .returning('id')
      .executeTakeFirstOrThrow()
    const people = kind === 'duels' ? n * 2 : n
    const groupOf = (i: number) => (kind === 'duels' ? Math.floor(i / 2) : i % branchCount)
    for (let i = 0; i < people; i += 2000)
      await handle.db
        .insertInto('users')
        .values(
          Array.from({ length: Math.min(2000, people - i) }, (_, j) => ({
            username: `p${i + j}`,
            name: `选手${i + j}`,
            role: 'member' as const,
            org_id: branches[groupOf(i + j)].id,
            password_hash: hash,
          })),
        )
        .execute()
    const rows = await handle.db.selectFrom('users').select(['id', 'username']).where('role', '=', 'member').execute()
    const idOf = new Map(rows.map((r) => [r.username, r.id]))
    // Idle players: in a tenth of the duels one partner leaves one round unanswered (it closes at
    // endsAt); in a contest one player in twenty never answers (the host reveals each question).
    const every = Math.max(1, Math.round(1 / Math.max(idleShare, 1e-9)))
    const players: Player[] = Array.from({ length: people }, (_, i) => ({
      userId: idOf.get(`p${i}`)!,
      group: groupOf(i),
      idle: kind === 'duels' ? idleShare > 0 && i % 2 === 1 && groupOf(i) % every === 0 : i % 20 === 0,
    }))
    const tokens = await mintTokens(handle.db, [adminId, ...players.map((p) => p.userId)], jwtSecret)
    return { players, tokens, adminToken: tokens.get(adminId)!, rootOrgId: root.id }
  } finally {
    await handle.close()
  }
}

type Opts = {
  kind: Kind
  questions: number
  loadgens: number
  connectRate: number
  joinRate: number
}

/** Runs the scenario once against a target. */
async function play(target: Target, players: Player[], opts: Opts): Promise<Outcome> {
  const children: ChildProcess[] = []
  const metrics: Metric[] = []
  let sampler: NodeJS.Timeout | undefined
  let host: Socket | undefined
  try {
    const contest = opts.kind === 'contest' ? await target.createContest!() : undefined
    if (contest) {
      host = io(target.base, { path: '/socket.io', transports: ['websocket'], auth: { token: target.hostToken }, forceNew: true })
      await new Promise<void>((resolve, reject) => {
        host!.once('connect', resolve)
        host!.once('connect_error', reject)
      })
      const hosted = (await host.timeout(10_000).emitWithAck('contest:host', { contestId: contest.id })) as { ok: boolean; error?: string }
      if (!hosted.ok) throw new Error(`contest:host: ${hosted.error}`)
    }
    // Sockets in order over the load generators; a duel's two partners always in the same one.
    const unit = opts.kind === 'duels' ? 2 : 1
    const dealt: Player[][] = Array.from({ length: opts.loadgens }, () => [])
    for (let i = 0; i < players.length; i += unit) dealt[(i / unit) % opts.loadgens].push(...players.slice(i, i + unit))
    const shares = dealt.filter((s) => s.length)
    // The first reading covers the time since the server started (migrations, bank): not the scenario's.
    await target.metrics?.()
    if (target.metrics)
      sampler = setInterval(async () => {
        const m = await target.metrics!()
        if (m) metrics.push(m)
      }, 1000)
    const connectSeconds = players.length / opts.connectRate
    const joinSeconds = players.length / unit / opts.joinRate
    const playSeconds = opts.kind === 'duels' ? (T.startDelayMs + T.rounds * (T.roundMs + T.revealMs)) / 1000 : opts.questions * 30

    log(`${target.name}: ${players.length} sockets over ${opts.loadgens} load generators, connecting at ${opts.connectRate}/s`)
    // Load generators load first; the connect schedule starts once all of them can keep it.
    const loaded = shares.map(() => fork(path.join(import.meta.dirname, 'live-loadgen.ts'), { execArgv: ['--import', 'tsx'] }))
    children.push(...loaded)
    await Promise.all(loaded.map((c) => new Promise((r) => c.once('message', r))))
    const t0 = Date.now() + 500
    const connectAt = new Map(players.map((p, i) => [p.userId, t0 + (i / opts.connectRate) * 1000]))
    const deadline = t0 + (connectSeconds + joinSeconds + playSeconds + 60) * 1000
    const ready: Promise<void>[] = []
    const joined: Promise<void>[] = []
    const done = shares.map(
      (share, w) =>
        new Promise<LiveLoadgenResult>((resolve) => {
          const child = loaded[w]
          let ok: () => void
          let inLobby: () => void
          ready.push(new Promise((r) => (ok = r)))
          joined.push(new Promise((r) => (inLobby = r)))
          child.on('message', (m: any) => {
            if (m.type === 'ready') ok()
            if (m.type === 'joined') inLobby()
            if (m.type === 'done') {
              resolve(m.result)
              child.kill()
            }
          })
          const config: LiveLoadgenConfig = {
            base: target.base,
            kind: opts.kind,
            players: share.map((p) => ({ userId: p.userId, token: target.tokenOf(p), idle: p.idle })),
            connectAt: share.map((p) => connectAt.get(p.userId)!),
            joinRate: opts.joinRate / opts.loadgens,
            idleRound: 2,
            // A person reads and taps: 1 to 4 seconds in a duel; up to 6 in the hall.
            answerDelayMs: opts.kind === 'duels' ? [1_000, 4_000] : [1_000, 6_000],
            pin: contest?.pin,
            deadline,
          }
          child.send({ type: 'config', config })
        }),
    )
    await Promise.all(ready)
    log(`${target.name}: connected; joining at ${opts.joinRate}/s`)
    for (const c of children) c.send({ type: 'go' })

    const triggers: { question: number[]; reveal: number[] } = { question: [], reveal: [] }
    if (contest && host) {
      await Promise.race([Promise.all(joined), sleep(deadline - Date.now())])
      log(`${target.name}: everyone in the lobby; ${opts.questions} questions`)
      const next = () => host!.timeout(10_000).emitWithAck('contest:next', { contestId: contest.id })
      for (let q = 0; q < opts.questions; q++) {
        triggers.question.push(Date.now())
        await next()
        await sleep(7_500) // every answering phone has answered (1–6 s)
        triggers.reveal.push(Date.now())
        await next()
        await sleep(2_500)
      }
      await next() // the podium
    }
    const results = await Promise.all(done)

    const figures: Record<string, Samples> = {}
    const add = (name: string, values: number[]) => (figures[name] ??= new Samples()).addAll(values)
    const errors: Record<string, number> = {}
    for (const r of results) {
      add('connect', r.connectMs)
      for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v
      if (opts.kind === 'duels') {
        add('roundAfterAnswer', r.roundAfterAnswer)
        add('roundAfterEndsAt', r.roundAfterEndsAt)
      } else {
        add('answerAck', r.answerAck)
        for (const [i, at] of Object.entries(r.questionAt))
          add(
            'question',
            at.map((t) => t - triggers.question[Number(i)]),
          )
        for (const [i, at] of Object.entries(r.revealAt))
          add(
            'reveal',
            at.map((t) => t - triggers.reveal[Number(i)]),
          )
      }
    }
    // A reveal before the host asked for it means every phone answered first: not a fan-out sample.
    const early = figures.reveal?.raw.filter((v) => v < 0).length ?? 0
    if (early) errors['reveal before the host asked'] = early
    const sum = (k: 'connected' | 'joined' | 'ended') => results.reduce((n, r) => n + r[k], 0)
    const counts = { sockets: players.length, connected: sum('connected'), joined: sum('joined'), ended: sum('ended') }
    log(`${target.name}: ${JSON.stringify(counts)} errors ${JSON.stringify(errors)}`)
    return { results, figures, counts, errors, metrics }
  } finally {
    if (sampler) clearInterval(sampler)
    host?.close()
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  }
}

function reportOf(kind: Kind, opts: Record<string, unknown>, sockets: number, bare: Outcome, real: Outcome) {
  const rows: { name: string; key: string; target?: string }[] =
    kind === 'duels'
      ? [
          { name: 'battle:round push, after the last answer', key: 'roundAfterAnswer', target: 'p99 ≤ 300 ms' },
          { name: 'battle:round push, after endsAt (a round left unanswered)', key: 'roundAfterEndsAt', target: 'p99 ≤ 300 ms' },
          { name: 'socket connect (handshake)', key: 'connect' },
        ]
      : [
          { name: 'contest:question fan-out, host next → each phone', key: 'question', target: 'p99 ≤ 300 ms' },
          { name: 'contest:reveal fan-out, host reveal → each phone', key: 'reveal', target: 'p99 ≤ 300 ms' },
          { name: 'contest:answer ack', key: 'answerAck' },
          { name: 'socket connect (handshake)', key: 'connect' },
        ]
  const figures = rows.map((r) => {
    const s = real.figures[r.key]?.summary() ?? { count: 0, median: null, p99: null }
    const b = bare.figures[r.key]?.summary() ?? { count: 0, median: null, p99: null }
    return {
      name: r.name,
      ...s,
      baseline: b,
      ratio: s.p99 !== null && b.p99 ? round(s.p99 / b.p99, 2) : null,
      target: r.target,
    }
  })
  const m = real.metrics
  const server = {
    rssMbMax: Math.max(0, ...m.map((x) => x.rssMb)),
    cpuCoresMean: round(m.reduce((s, x) => s + x.cpuCores, 0) / Math.max(1, m.length), 2),
    eventLoopP99MsMax: Math.max(0, ...m.map((x) => x.eventLoopDelayMs.p99)),
    socketsMax: Math.max(0, ...m.map((x) => x.sockets)),
  }
  const machine = {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? '?',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
  }
  const done =
    kind === 'duels'
      ? `duels finished: server ${real.counts.ended / 2} of ${sockets / 2}, baseline ${bare.counts.ended / 2}`
      : `players joined: server ${real.counts.joined} of ${sockets}, baseline ${bare.counts.joined}; saw the podium: server ${real.counts.ended}, baseline ${bare.counts.ended}`
  const markdown = [
    `## xuece bench: ${kind} — ${machine.date}`,
    `Machine: ${machine.cpus} × ${machine.model}, ${machine.memGb} GB, Node ${machine.node}. Parameters: ${JSON.stringify({ ...opts, sockets })}`,
    '',
    'Baseline (same run): a bare socket.io server speaking the same events with the same timing (no sign-in, database, grading or privacy rule), driven by the same load generators.',
    '',
    '| figure | n | median | p99 | baseline median / p99 | p99 ratio to baseline | target |',
    '|---|---|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.name} | ${f.count} | ${f.median ?? '–'} | ${f.p99 ?? '–'} ms | ${f.baseline.median ?? '–'} / ${f.baseline.p99 ?? '–'} ms | ${f.ratio ?? '–'}× | ${f.target ?? ''} |`,
    ),
    `| server | | CPU ${server.cpuCoresMean} cores | RSS max ${server.rssMbMax} MB, loop delay p99 max ${server.eventLoopP99MsMax} ms, sockets max ${server.socketsMax} | | | |`,
    '',
    `${done}. Sockets connected: server ${real.counts.connected}, baseline ${bare.counts.connected} of ${sockets}.`,
    Object.keys(real.errors).length ? `Errors (server): ${JSON.stringify(real.errors)}` : 'Errors (server): none',
    Object.keys(bare.errors).length ? `Errors (baseline): ${JSON.stringify(bare.errors)}` : 'Errors (baseline): none',
  ].join('\n')
  return {
    markdown,
    json: {
      machine,
      params: { kind, ...opts, sockets },
      figures,
      server,
      counts: { server: real.counts, baseline: bare.counts },
      errors: { server: real.errors, baseline: bare.errors },
    },
  }
}
