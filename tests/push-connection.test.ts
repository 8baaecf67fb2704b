// On exam day a secretary's live figures must not queue for a database connection behind a wave of
// starts and submits: on PostgreSQL the exam pushes read on a connection of their own. Here every
// connection of the shared pool is busy with a slow statement when a submission lands, and the
// watcher still gets the new figures before any of those statements finishes. (PGlite has a single
// connection; there is nothing to reserve.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import pg from 'pg'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { connect, record, until, watchExam, type ClientSocket } from './helpers/sockets.js'
import { TEST_DATABASE_URL } from './helpers/template-db.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

/** The shared pool's size in tests (tests/helpers/template-db.ts opens it with 10). */
const SHARED_POOL = 10
const SLOW_SECONDS = 4

describe.runIf(TEST_DATABASE_URL)('exam pushes on a connection of their own (PostgreSQL)', () => {
  let t: TestContext
  let watcher: ClientSocket
  let examId: number
  let outside: pg.Client
  let database: string

  beforeAll(async () => {
    t = await createTestContext({ listen: true, pushConnection: true })
    const admin = await t.login(DEMO_ADMIN.username)
    const orgs: { id: number; name: string }[] = (await t.http().get('/api/orgs').set(bearer(admin))).body
    examId = (await createOpenExam(t, admin, { title: '推送连接', audienceOrgIds: [orgs.find((o) => o.name === '省工业和信息化厅')!.id] }))
      .id
    watcher = await connect(t.baseUrl, admin)
    // A connection outside the app's pools, to the test's own database.
    database = (await sql<{ name: string }>`select current_database() as name`.execute(t.db)).rows[0].name
    const url = new URL(TEST_DATABASE_URL!)
    url.pathname = `/${database}`
    outside = new pg.Client({ connectionString: url.toString() })
    await outside.connect()
  })
  afterAll(async () => {
    watcher?.close()
    await outside?.end()
    await t?.close()
  })

  it('pushes a submission while every shared connection is busy', async () => {
    const progress = record(watcher, 'exam:progress')
    expect(await watchExam(watcher, examId)).toEqual({ ok: true })
    // A member starts: her unit's counters exist, and the watcher has seen them.
    const member = await t.login('dy0001')
    expect((await t.http().post(`/api/exams/${examId}/attempts`).set(bearer(member)).send({})).status).toBe(200)
    await until(() => progress.some((p) => p.payload.started === 1 && p.payload.submitted === 0))

    const finished: string[] = []
    const slow = Array.from({ length: SHARED_POOL }, () =>
      sql`select pg_sleep(${SLOW_SECONDS})`.execute(t.db).then(() => void finished.push('slow')),
    )
    await expect.poll(() => sleepers(outside, database), { timeout: 3_000, interval: 50 }).toBe(SHARED_POOL)

    // A submission committed elsewhere (another node, or a request that got its connection before
    // the pool filled) moves the counters and tells this node, as every submit does.
    await outside.query('update exam_org_counts set submitted = submitted + 1 where exam_id = $1', [examId])
    t.app.deps.events.emit('exam:changed', examId)
    await until(() => progress.some((p) => p.payload.submitted === 1), SLOW_SECONDS * 1000 + 2000)
    finished.push('push')
    await Promise.all(slow)
    expect(finished[0]).toBe('push')
  })
})

/** Statements in pg_sleep right now in this test's database. */
async function sleepers(client: pg.Client, database: string): Promise<number> {
  const { rows } = await client.query(
    `select count(*)::int as n from pg_stat_activity where datname = $1 and query like 'select pg_sleep%' and state = 'active'`,
    [database],
  )
  return rows[0].n
}
