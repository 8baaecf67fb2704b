// Typed configuration. This is the only module that reads process.env.
import os from 'node:os'
import path from 'node:path'

export interface Config {
  port: number
  host: string
  /** PostgreSQL connection string; undefined → embedded PGlite in dataDir. */
  databaseUrl?: string
  dataDir: string
  /**
   * Connections per server process to PostgreSQL (default 10; with the autosave connections,
   * nodes × workers × (pool + autosaveLanes + 2) must stay under max_connections). Few on purpose: PostgreSQL does the most work with about two busy
   * connections per core, and the exam-day bench had its autosave and push tails cut by half or
   * more going from 40 to 10 (queries wait in the pool's queue instead of competing inside PostgreSQL).
   */
  databasePoolSize: number
  adminPassword?: string
  /** Required with databaseUrl; with PGlite it is generated once and kept in dataDir. */
  jwtSecret?: string
  redisUrl?: string
  /** Access-token lifetime; at least 15 minutes (integrations rely on that). */
  accessTokenMinutes: number
  refreshTokenDays: number
  logLevel: string
  /** Seed demo data on first start of an embedded database (only then: never on PostgreSQL). */
  seedDemo: boolean
  /**
   * Which X-Forwarded-For hops to believe (Fastify's `trustProxy`): false (default) uses the TCP
   * peer; behind nginx, the proxy's addresses/CIDRs (e.g. `127.0.0.1,10.0.0.0/8`), or `true`.
   * Login throttling keys on the client address, so trusting a header nobody strips would let
   * anyone pick their own address.
   */
  trustProxy: boolean | string
  /**
   * Server processes on this machine (node:cluster), each with its own event loop and file
   * descriptors; `WORKERS=auto` means one per core. PostgreSQL only (PGlite is one process).
   * Unset: one per core on PostgreSQL (live games run in one process of them all, the games home,
   * and the others forward to it), one on PGlite.
   */
  workers: number | undefined
  /**
   * Handles each worker accepts new connections on, all on the one listening socket (see
   * listener-copies.ts): a busy event loop takes in one connection per handle per turn. Default 4:
   * at 2,000 takers on the 2-core bench machine 8 let phones in no sooner overall (their work came in
   * at once and starts slowed) and 1 kept them waiting at the door; 4 and 8 both connected 20,000.
   */
  listenersPerWorker: number
  /** Argon2id hashes at once per process, and how many may wait before a login is told to come back. */
  hashConcurrency?: number
  hashQueue?: number
  /** Autosave group commits written side by side per process (on PostgreSQL, on lanes + 1 connections of their own). */
  autosaveLanes: number
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`)
  }
  const databasePoolSize = Number(env.DATABASE_POOL_SIZE ?? 10)
  if (!Number.isInteger(databasePoolSize) || databasePoolSize < 1) {
    throw new Error(`DATABASE_POOL_SIZE must be a positive whole number, got "${env.DATABASE_POOL_SIZE}"`)
  }
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    databasePoolSize,
    adminPassword: env.ADMIN_PASSWORD || undefined,
    jwtSecret: env.JWT_SECRET || undefined,
    redisUrl: env.REDIS_URL || undefined,
    accessTokenMinutes: Number(env.ACCESS_TOKEN_MINUTES ?? 30),
    refreshTokenDays: Number(env.REFRESH_TOKEN_DAYS ?? 14),
    logLevel: env.LOG_LEVEL ?? 'info',
    seedDemo: env.SEED_DEMO !== 'false',
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    workers: parseWorkers(env.WORKERS),
    listenersPerWorker: positive(env.LISTENERS_PER_WORKER, 'LISTENERS_PER_WORKER') ?? 4,
    hashConcurrency: positive(env.HASH_CONCURRENCY, 'HASH_CONCURRENCY'),
    hashQueue: positive(env.HASH_QUEUE, 'HASH_QUEUE'),
    autosaveLanes: positive(env.AUTOSAVE_LANES, 'AUTOSAVE_LANES') ?? 2,
  }
}

function positive(raw: string | undefined, name: string): number | undefined {
  if (!raw?.trim()) return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got "${raw}"`)
  return n
}

function parseWorkers(raw: string | undefined): number | undefined {
  if (raw?.trim() === 'auto') return os.availableParallelism()
  return positive(raw, 'WORKERS')
}

function parseTrustProxy(raw: string | undefined): boolean | string {
  const v = raw?.trim()
  if (!v || v === 'false' || v === '0') return false
  return v === 'true' ? true : v
}
