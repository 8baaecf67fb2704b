import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import pg from 'pg'
import { meterPool } from '../server/db/pool-meter.js'
import { TEST_DATABASE_URL } from './helpers/template-db.js'
import { bearer, createTestContext, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
beforeAll(async () => {
  t = await createTestContext()
})
afterAll(async () => {
  await t?.close()
})

describe('health and unknown routes', () => {
  it('reports the database kind without auth', async () => {
    const res = await t.http().get('/api/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok', db: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite', demo: true })
  })

  it('answers unknown /api paths with a JSON 404', async () => {
    const res = await t.http().get('/api/no-such-thing')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('NOT_FOUND')
  })

  it('serves the OpenAPI description', async () => {
    const res = await t.http().get('/api/docs/json')
    expect(res.status).toBe(200)
    expect(res.body.paths['/api/auth/login']).toBeDefined()
  })
})

describe('the database pool in the process metrics', () => {
  // A connection is free again only once the event loop has read its reply: the metrics tell a
  // wait for a connection apart from time in PostgreSQL. Here every shared connection sleeps for
  // a second while one more statement asks for one; it must show as waiting and as a long hold.
  it.runIf(process.env.TEST_DATABASE_URL)('reports waits for a connection and how long connections were held', async () => {
    const admin = await t.login(DEMO_ADMIN.username)
    const metrics = () => t.http().get('/api/health/metrics').set(bearer(admin))
    await metrics() // starts a new interval: what follows is all this test's

    const SHARED_POOL = 10 // tests/helpers/template-db.ts opens the shared pool with 10
    const sleepers = Array.from({ length: SHARED_POOL }, () => sql`select pg_sleep(1)`.execute(t.db))
    const queued = sql`select 1`.execute(t.db)
    await Promise.all([...sleepers, queued])

    const pool = (await metrics()).body.databasePool
    expect(pool.size).toBe(SHARED_POOL)
    expect(pool.waitingMax).toBeGreaterThanOrEqual(1)
    expect(pool.checkouts).toBeGreaterThanOrEqual(SHARED_POOL + 1)
    expect(pool.waitMs.max).toBeGreaterThanOrEqual(900)
    expect(pool.heldMs.max).toBeGreaterThanOrEqual(990)
    expect(pool.heldMs.p99).toBeGreaterThanOrEqual(990)

    // The next interval starts empty.
    const next = (await metrics()).body.databasePool
    expect(next.heldMs.max).toBeLessThan(900)
  })

  it.runIf(TEST_DATABASE_URL)('counts callers queued behind a connection that was idle when they asked', async () => {
    // Two connections idle, then three callers in one tick: pg-pool queues all three and hands the
    // idle ones out on the next tick, so no caller sees an empty pool when it asks, yet the third
    // waits for a connection to come back.
    const raw = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 })
    try {
      const warm = await Promise.all([raw.connect(), raw.connect()])
      warm.forEach((c) => c.release())
      const meter = meterPool(raw)
      meter.read()
      const asked = [meter.pool.connect(), meter.pool.connect(), meter.pool.connect()]
      // First come, first served: the first two get the idle connections, the third the first back.
      const [first, second] = await Promise.all(asked.slice(0, 2))
      await new Promise((resolve) => setTimeout(resolve, 50))
      first.release()
      const third = await asked[2]
      second.release()
      third.release()
      const reading = meter.read()
      expect(reading.checkouts).toBe(3)
      expect(reading.waitingMax).toBe(1)
      expect(reading.waitMs.max).toBeGreaterThanOrEqual(40)
    } finally {
      await raw.end()
    }
  })

  it.runIf(!process.env.TEST_DATABASE_URL)('has none on the embedded database (one connection, no pool)', async () => {
    const admin = await t.login(DEMO_ADMIN.username)
    const res = await t.http().get('/api/health/metrics').set(bearer(admin))
    expect(res.status).toBe(200)
    expect(res.body.databasePool).toBeUndefined()
  })
})
