// On exam day an autosave must not queue for a database connection behind starts, submits, reports
// and session reads: on PostgreSQL the autosave group commit writes on connections of its own. Here
// every connection of the shared pool is busy with a slow statement, and a save still commits
// before any of them finishes. (PGlite has a single connection; there is nothing to reserve.)
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
    t = await createTestContext({ autosaveConnections: 3 })
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

  it('commits the first save after a start while every shared connection is busy', async () => {
    // Right after her start: the start left the member's session and the attempt's outline with this
    // process, so even her first save reads nothing on the shared pool.

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
