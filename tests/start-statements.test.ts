// At 9:00 two hundred people a second press 开始答题, and each statement a start sends holds a
// pooled connection until the server's event loop reads its reply. A person's first start is one
// statement: insert the attempt and count it, guarded so that it inserts nothing when the person
// already has an attempt or an allowance — those starts go the long way, which must still resume,
// refuse and extend exactly as before. The guard is checked here along with the count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statementRecorder } from './helpers/statements.js'
import { bearer, createTestContext, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { ManualClock } from '../server/lib/clock.js'

const statements = statementRecorder()
const TOUCHES_ATTEMPTS = /\b(attempts|exam_allowances|exam_people)\b/

let t: TestContext
let admin: string
let audienceOrgIds: number[]
beforeAll(async () => {
  t = await createTestContext({
    observeQueries: statements.observe,
  })
  admin = await t.login(DEMO_ADMIN.username)
  const orgs: { id: number; name: string }[] = (await t.http().get('/api/orgs').set(bearer(admin))).body
  audienceOrgIds = [orgs.find((o) => o.name === '省工业和信息化厅')!.id]
})
afterAll(async () => {
  await t?.close()
})

/** People counted as started, summed over the exam's units (what the live monitor shows). */
async function startedCount(examId: number) {
  const row = await t.db
    .selectFrom('exam_org_counts')
    .select((eb) => eb.fn.sum<number>('started').as('started'))
    .where('exam_id', '=', examId)
    .executeTakeFirstOrThrow()
  return Number(row.started)
}

const start = (token: string, examId: number) => t.http().post(`/api/exams/${examId}/attempts`).set(bearer(token)).send({})

describe('starting an exam', () => {
  it("is one statement for a person's first start", async () => {
    const exam = await createOpenExam(t, admin, { title: '一条语句开考', audienceOrgIds })
    const member = await t.login('dy0011')
    await start(member, exam.id) // not this person's first exam: caches (scope, draw pool) are warm as at 9:00
    const other = await t.login('dy0012')
    statements.take()

    const res = await start(other, exam.id)
    expect(res.status).toBe(200)
    const onAttempts = statements.take().filter((s) => TOUCHES_ATTEMPTS.test(s))
    expect(onAttempts).toHaveLength(1)
    expect(onAttempts[0].trim()).toMatch(/^with inserted as \(\s*insert into attempts .* not exists/s)
    const row = await t.db
      .selectFrom('attempts')
      .select(['id', 'attempt_no'])
      .where('exam_id', '=', exam.id)
      .where('id', '=', res.body.attemptId)
      .executeTakeFirstOrThrow()
    expect(row.attempt_no).toBe(1)
    expect(await startedCount(exam.id)).toBe(2)
  })

  it('resumes on a second press, the long way', async () => {
    const exam = await createOpenExam(t, admin, { title: '再次进入', audienceOrgIds })
    const member = await t.login('dy0013')
    const first = await start(member, exam.id)
    const again = await start(member, exam.id)
    expect(again.status).toBe(200)
    expect(again.body.attemptId).toBe(first.body.attemptId)
    expect(again.body.deadline).toBe(first.body.deadline)
  })

  it('gives extra minutes granted before the first start (the guard sees the allowance)', async () => {
    const exam = await createOpenExam(t, admin, { title: '提前延时', audienceOrgIds })
    const member = await t.login('dy0014')
    const me = (await t.http().get('/api/me').set(bearer(member))).body
    const granted = await t
      .http()
      .post(`/api/exams/${exam.id}/allowances`)
      .set(bearer(admin))
      .send({ userId: me.id, extraMinutes: 20, reason: '视力障碍，延长作答时间' })
    expect(granted.status).toBe(200)
    const before = Date.now()
    const res = await start(member, exam.id)
    expect(res.status).toBe(200)
    // 30 minutes of the exam plus the 20 granted.
    expect(new Date(res.body.deadline).getTime() - before).toBeGreaterThan(49 * 60_000)
  })

  it('refuses a second attempt once the only one is used', async () => {
    const exam = await createOpenExam(t, admin, { title: '次数用完', audienceOrgIds })
    const member = await t.login('dy0015')
    const first = await start(member, exam.id)
    expect((await t.http().post(`/api/attempts/${first.body.attemptId}/submit`).set(bearer(member))).status).toBe(200)
    const again = await start(member, exam.id)
    expect(again.status).toBe(409)
    expect(again.body.error.message).toBe('作答次数已用完')
  })

  it('lets one of ten simultaneous first presses in, and the others resume it', async () => {
    const exam = await createOpenExam(t, admin, { title: '连点十次', audienceOrgIds })
    const member = await t.login('dy0016')
    const presses = await Promise.all(Array.from({ length: 10 }, () => start(member, exam.id)))
    expect(presses.map((r) => r.status)).toEqual(Array(10).fill(200))
    expect(new Set(presses.map((r) => r.body.attemptId)).size).toBe(1)
    const rows = await t.db.selectFrom('attempts').select('id').where('exam_id', '=', exam.id).execute()
    expect(rows).toHaveLength(1)
    expect(await startedCount(exam.id)).toBe(1)
  })
})

describe('starting again after the bank changed', () => {
  // 23:50 in Shanghai (UTC+8): a draw pool is per exam and day, so twenty minutes later the next
  // start draws from the bank as it is then.
  const clock = new ManualClock(new Date('2026-12-10T15:50:00Z'))
  let c: TestContext
  beforeAll(async () => {
    c = await createTestContext({ clock })
  })
  afterAll(async () => {
    await c?.close()
  })

  it('resumes a person already in the exam when no paper can be drawn any more', async () => {
    const root = await c.login(DEMO_ADMIN.username)
    const orgs: { id: number; name: string }[] = (await c.http().get('/api/orgs').set(bearer(root))).body
    const exam = await createOpenExam(c, root, {
      title: '题目撤下之后',
      audienceOrgIds: [orgs.find((o) => o.name === '省工业和信息化厅')!.id],
      opensAt: new Date(clock.now().getTime() - 60_000).toISOString(),
      closesAt: new Date(clock.now().getTime() + 2 * 3_600_000).toISOString(),
    })
    const member = await c.login('dy0017')
    const first = await c.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    expect(first.status).toBe(200)

    // Every judge question withdrawn; past midnight the pool is read again and has none.
    await c.db.updateTable('questions').set({ status: 'retired' }).where('type', '=', 'judge').execute()
    clock.advance(20 * 60_000)

    const again = await c.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    expect(again.status, JSON.stringify(again.body)).toBe(200)
    expect(again.body.attemptId).toBe(first.body.attemptId)
    // Someone not yet in the exam is told plainly that no paper can be made.
    const newcomer = await c.login('dy0018')
    const refused = await c.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(newcomer)).send({})
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toMatch(/题目不足/)
  })
})
