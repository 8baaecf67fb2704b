// A real app on a real database for one test file: build, ready, and close on teardown.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { inject } from 'vitest'
import supertest from 'supertest'
import type { FastifyInstance } from 'fastify'
import type { RootOperationNode } from 'kysely'
import { buildApp } from '../../server/app.js'
import { ManualClock, systemClock, type Clock } from '../../server/lib/clock.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'
import { openTestDatabase } from './template-db.js'
import { hashPool } from '../../server/lib/passwords.js'

// Tests log hundreds of people in to set a scene; hashing on every core (as before the pool)
// keeps that quick. The pool's own limits are tested on a pool of their own (passwords.test.ts).
hashPool.configure(Math.max(2, os.availableParallelism()), 200)

export interface TestContext {
  app: FastifyInstance
  db: FastifyInstance['db']
  /** http://127.0.0.1:<port> when created with `listen: true`. */
  baseUrl: string
  clock: Clock
  /** The app's data folder (uploads), a temp dir removed on close. */
  dataDir: string
  http: () => supertest.Agent
  /** Logs a demo (or test-made) account in; returns its access token. */
  login(username: string, password?: string): Promise<string>
  tokens(username: string, password?: string): Promise<{ accessToken: string; refreshToken: string }>
  /** Runs `fn` with a second node on the same database and clock, closed afterwards: for work two nodes must not both do. */
  withSecondNode<T>(fn: (node: FastifyInstance) => Promise<T>): Promise<T>
  close(): Promise<void>
}

export const TEST_JWT_SECRET = 'test-secret-test-secret'

export async function createTestContext(
  opts: {
    clock?: ManualClock
    listen?: boolean
    earnRateLimitPerMinute?: number
    trustProxy?: boolean
    webDist?: string
    /** Autosave on connections of its own, as `npm start` runs it on PostgreSQL (PGlite has one connection). */
    autosaveConnections?: number
    /** Live exam pushes on a connection of their own, as `npm start` runs them on PostgreSQL. */
    pushConnection?: boolean
    /** Sees every statement the app sends through its shared pool (as Kysely's tree, before compiling). */
    observeQueries?: (node: RootOperationNode) => void
    /** A people import's progress writes within a phase, at most one per this many ms (0: every step). */
    importProgressWriteMs?: number
  } = {},
): Promise<TestContext> {
  const handle = await openTestDatabase(inject('dbTemplate'))
  const clock: Clock = opts.clock ?? systemClock
  // A manual clock moves minutes in milliseconds of real time: lift the per-minute earning limit.
  const earnRateLimitPerMinute = opts.earnRateLimitPerMinute ?? (opts.clock ? 100_000 : undefined)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-test-data-'))
  const observe = opts.observeQueries
  const app = await buildApp({
    db: observe
      ? handle.db.withPlugin({
          transformQuery: ({ node }) => (observe(node), node),
          transformResult: async ({ result }) => result,
        })
      : handle.db,
    dbKind: handle.kind,
    jwtSecret: TEST_JWT_SECRET,
    clock,
    logLevel: 'silent',
    webDist: opts.webDist ?? '/nonexistent',
    earnRateLimitPerMinute,
    dataDir,
    trustProxy: opts.trustProxy,
    autosaveDb: opts.autosaveConnections ? handle.dedicated?.(opts.autosaveConnections) : undefined,
    pushDb: opts.pushConnection ? handle.dedicated?.(1) : undefined,
    poolReading: handle.poolReading,
    importProgressWriteMs: opts.importProgressWriteMs,
  })
  if (opts.listen) await app.listen({ port: 0, host: '127.0.0.1' })
  else await app.ready()
  const http = () => supertest.agent(app.server)
  const tokens = async (username: string, password = username === DEMO_ADMIN.username ? DEMO_ADMIN.password : DEMO_PASSWORD) => {
    const res = await http().post('/api/auth/login').send({ username, password })
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`)
    return { accessToken: res.body.accessToken as string, refreshToken: res.body.refreshToken as string }
  }
  const cached = new Map<string, Promise<string>>()
  return {
    app,
    db: handle.db,
    clock,
    dataDir,
    http,
    tokens,
    baseUrl: baseUrlOf(app),
    // One session per account and file: tests log in often, and logins are rate limited per account.
    login: (username, password) => {
      const key = `${username}\0${password ?? ''}`
      if (!cached.has(key))
        cached.set(
          key,
          tokens(username, password).then((t) => t.accessToken),
        )
      return cached.get(key)!
    },
    withSecondNode: async (fn) => {
      const node = await buildApp({
        db: handle.db,
        dbKind: handle.kind,
        jwtSecret: TEST_JWT_SECRET,
        clock,
        logLevel: 'silent',
        webDist: '/nonexistent',
        dataDir,
      })
      await node.ready()
      try {
        return await fn(node)
      } finally {
        await node.close()
      }
    },
    close: async () => {
      await app.close()
      await handle.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * Another listening node on the test's database whose socket.io rooms span every node made with the
 * same `redisKey` (through the local Redis): how several machines, or workers, share live state.
 */
export async function listeningRedisNode(t: TestContext, redisKey: string): Promise<FastifyInstance> {
  const node = await buildApp({
    db: t.db,
    dbKind: t.app.dbKind,
    jwtSecret: TEST_JWT_SECRET,
    logLevel: 'silent',
    webDist: '/nonexistent',
    redisUrl: 'redis://127.0.0.1:6379',
    redisKey,
  })
  await node.listen({ port: 0, host: '127.0.0.1' })
  return node
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` })

export function baseUrlOf(app: FastifyInstance): string {
  const address = app.server.address()
  return typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : ''
}

/** supertest's parser for a download, `.buffer(true).parse(binary)`: the raw bytes (it would read an xlsx as text). `any`: superagent types the stream as its Response. */
export const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = []
  res.on('data', (c: Buffer) => chunks.push(c))
  res.on('end', () => cb(null, Buffer.concat(chunks)))
}
