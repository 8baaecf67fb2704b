// On exam day an autosave must not queue for a database connection behind starts, submits and
// reports: on PostgreSQL the autosave group commit writes on connections of its own, and the
// session check in front of it (every few seconds per person, with the session rules) reads on the
// live connections. Here every connection of the shared pool is busy with a slow statement, and a
// save still commits before any of them finishes. (PGlite has a single connection; there is
// nothing to reserve.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { TEST_DATABASE_URL } from './helpers/template-db.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

/** The shared pool's size in tests (tests/helpers/template-db.ts opens it with 10). */
const SHARED_POOL = 10
const SLOW_SECONDS = 4

describe.runIf(TEST_DATABASE_URL)('autosave on connections of its own (PostgreSQL)', () => {
  let t: TestContext
  let member: string

  beforeAll(async () => {
    t = await createTestContext({ autosaveConnections: 3, liveConnections: true })
    const admin = await t.login(DEMO_ADMIN.username)
    const orgs: { id: number; name: string }[] = (await t.http().get('/api/orgs').set(bearer(admin))).body
    const exam = await createOpenExam(t, admin, {
      title: '连接测试',
      audienceOrgIds: [orgs.find((o) => o.name === '省工业和信息化厅')!.id],
      paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
    })
    member = await t.login('dy0001')
    const started = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    expect(started.status).toBe(200)
    attempt = { id: started.body.attemptId, questions: started.body.questions.map((q: { id: number }) => q.id) }
    database = (await sql<{ name: string }>`select current_database() as name`.execute(t.db)).rows[0].name
  })
  afterAll(async () => {
    await t?.close()
  })

  let attempt: { id: number; questions: number[] }
  let database: string
  const save = (questionId: number, answer: boolean) =>
    t.http().put(`/api/attempts/${attempt.id}/answers/${questionId}`).set(bearer(member)).send({ answer })

  it('commits a save while every shared connection is busy', async () => {
    // A first save: the session and the attempt's shape are then known to this process, as they are
    // for a taker in the middle of her exam.
    expect((await save(attempt.questions[0], true)).status).toBe(200)

    const finished: string[] = []
    const slow = Array.from({ length: SHARED_POOL }, () =>
      sql`select pg_sleep(${SLOW_SECONDS})`.execute(t.db).then(() => void finished.push('slow')),
    )
    // Every shared connection is taken once PostgreSQL shows all the sleeps running.
    await expect.poll(async () => sleepers(database), { timeout: 3_000, interval: 50 }).toBe(SHARED_POOL)

    const saved = await save(attempt.questions[1], false)
    finished.push('save')
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    await Promise.all(slow)
    expect(finished[0]).toBe('save')

    const row = await t.db
      .selectFrom('attempt_answers')
      .select('answer')
      .where('attempt_id', '=', attempt.id)
      .where('question_id', '=', attempt.questions[1])
      .executeTakeFirst()
    expect(row?.answer).toBe(false)
  })

  it('checks a session that is no longer cached, with the session rules, while every shared connection is busy', async () => {
    // Past the session rules' cache (2 s), and the session forgotten: the next request reads both.
    await new Promise((resolve) => setTimeout(resolve, 2_100))
    t.app.forgetSessions(() => true)

    const finished: string[] = []
    const slow = Array.from({ length: SHARED_POOL }, () =>
      sql`select pg_sleep(${SLOW_SECONDS})`.execute(t.db).then(() => void finished.push('slow')),
    )
    await expect.poll(async () => sleepers(database), { timeout: 3_000, interval: 50 }).toBe(SHARED_POOL)

    const saved = await save(attempt.questions[1], true)
    finished.push('save')
    expect(saved.status, JSON.stringify(saved.body)).toBe(200)
    await Promise.all(slow)
    expect(finished[0]).toBe('save')
  })
})

/** Statements in pg_sleep right now, seen on a connection outside the app's pools. */
async function sleepers(database: string): Promise<number> {
  const pg = await import('pg')
  const client = new pg.default.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  try {
    const { rows } = await client.query(
      `select count(*)::int as n from pg_stat_activity where datname = $1 and query like 'select pg_sleep%' and state = 'active'`,
      [database],
    )
    return rows[0].n
  } finally {
    await client.end()
  }
}
