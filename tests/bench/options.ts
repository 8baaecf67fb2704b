// The exam-day bench's flags (`npm run bench -- …`), read and checked before anything starts:
//   --takers N         people taking the exam (default 2000)
//   --secretaries N    secretaries watching their units live (default 10)
//   --save-interval MS a taker saves an answer about this often (default 1000)
//   --answers N        answers each taker saves before submitting (default 10)
//   --start-rate N     attempt starts a second, in start order (default 200)
//   --connect-rate N   socket handshakes per second over all load generators (default 500)
//   --login-sample N   the first N takers log in for real (Argon2id); the rest get minted sessions (default 200)
//   --workers N        the server's worker processes (WORKERS; default 1)
//   --loadgens N       load-generator processes (default: ≤ 5,000 sockets each, at least 2)
//   --probe N          N of the takers (every k-th; default 1 in 50, at most 40) in a load
//                      generator of their own, whose loop is nearly idle: their autosave p99 is
//                      reported beside everyone's, the server's share of the tail without the
//                      other phones' lag
//   --storm N          logins at once during the exam, then N refreshes at once (default 500 from
//                      2,000 takers up, else 0; always 0 with --embedded)
//   --warm             first a whole exam day without storms on the same server, then the measured
//                      one: a server that has run an exam (its code compiled by the JIT), where
//                      the default measures one started a minute before the exam
//   --find-max         afterwards, the autosave sustained maximum over HTTP and over sockets
//   --proxy nginx      clients reach the server through nginx, as deployed (tests/bench/proxy.ts)
//   --shared-connections  each load generator's takers share 256 HTTP connections instead of one
//                      each, as phones have (needed at 20,000 takers: the server's open-files limit)
//   --save-over socket|http  how takers' saves travel (default socket, as the web app)
//   --embedded         `npm start` on embedded PGlite: the demo department takes a branch-sized exam
//   --database URL     the PostgreSQL server the bench creates its database on (BENCH_DATABASE_URL)
import { parseArgs } from 'node:util'

export interface BenchOptions {
  takers: number
  secretaries: number
  saveIntervalMs: number
  answers: number
  startRate: number
  connectRate: number
  loginSample: number
  workers: number
  loadgens: number
  /** Takers measured from a process of their own (0: none). */
  probe: number
  /** Logins (then refreshes) at once during the exam; 0: no storm phase. */
  storm: number
  /** A first, unmeasured exam day on the same server before the measured one. */
  warm: boolean
  findMax: boolean
  proxy: 'nginx' | undefined
  sharedConnections: boolean
  saveOver: 'socket' | 'http'
  embedded: boolean
  /** A PostgreSQL URL the bench may create and drop databases through. */
  database: string
}

/** Sockets per load generator at most: far below the 20,000 open files a process may hold here. */
export const SOCKETS_PER_LOADGEN = 5000

/** Reads the flags; throws on a value that is not a count or a choice that does not exist. */
export function benchOptions(argv: string[], log: (line: string) => void): BenchOptions {
  const { values: args } = parseArgs({
    args: argv,
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
      warm: { type: 'boolean', default: false },
      'find-max': { type: 'boolean', default: false },
      proxy: { type: 'string' },
      'shared-connections': { type: 'boolean', default: false },
      'save-over': { type: 'string', default: 'socket' },
      embedded: { type: 'boolean', default: false },
      database: { type: 'string', default: process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    },
  })
  const takers = Number(args.takers)
  const counts = {
    takers,
    secretaries: Number(args.secretaries),
    saveIntervalMs: Number(args['save-interval']),
    answers: Number(args.answers),
    startRate: Number(args['start-rate']),
    connectRate: Number(args['connect-rate']),
    loginSample: Number(args['login-sample']),
    workers: Math.max(1, Number(args.workers)),
    loadgens: Math.max(1, Number(args.loadgens ?? Math.max(2, Math.ceil(takers / SOCKETS_PER_LOADGEN)))),
    // One in fifty, at most 40: more would give the probe's own loop work enough to lag (400 of
    // 20,000 did: its worst second 572 ms).
    probe: Math.max(0, Math.floor(Number(args.probe ?? Math.min(40, takers / 50)))),
    storm: args.embedded ? 0 : Math.max(0, Number(args.storm ?? (takers >= 2000 ? 500 : 0))),
  }
  for (const [flag, v] of Object.entries(counts)) if (!Number.isFinite(v) || v < 0) throw new Error(`bad value for ${flag}`)
  if (args['save-over'] !== 'socket' && args['save-over'] !== 'http') throw new Error('--save-over takes socket or http')
  if (args.proxy !== undefined && args.proxy !== 'nginx') throw new Error('--proxy takes one value: nginx')
  if (args.proxy && args.embedded) throw new Error('--proxy is for the PostgreSQL mode')
  if (args.embedded && args.storm && Number(args.storm) > 0) log('--storm is ignored with --embedded (its people log in for real anyway)')
  if (takers / counts.loadgens > SOCKETS_PER_LOADGEN)
    log(
      `warning: ${Math.ceil(takers / counts.loadgens)} sockets per load generator; above ${SOCKETS_PER_LOADGEN} a process nears its open-files limit`,
    )
  return {
    ...counts,
    warm: args.warm!,
    findMax: args['find-max']!,
    proxy: args.proxy as 'nginx' | undefined,
    sharedConnections: args['shared-connections']!,
    saveOver: args['save-over'],
    embedded: args.embedded!,
    database: args.database!,
  }
}
