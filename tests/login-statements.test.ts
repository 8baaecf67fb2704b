// On exam morning every member logs in within minutes, and each statement a login sends holds a
// pooled connection until the server's event loop reads its reply. So a login writes its session
// and audit row in one statement, and its daily 登录 point in one more (the award_points function),
// with the point rules and the policy read through their caches: two statements for what took
// two transactions of four and nine round trips. The rows are checked too, not only counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statementRecorder } from './helpers/statements.js'
import { createTestContext, type TestContext } from './helpers/app.js'
import { DEMO_PASSWORD } from '../server/seed/demo.js'

const statements = statementRecorder()
const WRITTEN_BY_A_LOGIN = /\b(sessions|audit_log|point_\w+|award_points)\b/

let t: TestContext
beforeAll(async () => {
  t = await createTestContext({
    observeQueries: statements.observe,
  })
})
afterAll(async () => {
  await t?.close()
})

describe('a login', () => {
  it('writes its session, audit row and 登录 point in two statements', async () => {
    // A first login warms the caches (rules, policy) as the day's first logins do.
    await t.login('dy0001')
    statements.take()

    const res = await t.http().post('/api/auth/login').send({ username: 'dy0002', password: DEMO_PASSWORD })
    expect(res.status).toBe(200)
    const writes = statements.take().filter((s) => WRITTEN_BY_A_LOGIN.test(s))
    expect(writes).toHaveLength(2)
    expect(writes[0]).toMatch(/^with "session" as \(insert into "sessions" .*\) insert into "audit_log"/s)
    expect(writes[1]).toMatch(/award_points\(/)

    const user = await t.db.selectFrom('users').select('id').where('username', '=', 'dy0002').executeTakeFirstOrThrow()
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('actor_id', '=', user.id)
      .where('action', '=', 'auth.login')
      .execute()
    expect(audit).toHaveLength(1)
    const sessions = await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()
    expect(sessions).toHaveLength(1)
    const points = await t.db.selectFrom('point_ledger').select(['rule_code', 'points']).where('user_id', '=', user.id).execute()
    expect(points).toEqual([{ rule_code: 'login', points: 1 }])
  })

  it('earns 登录 once a day however often it signs in', async () => {
    // t.tokens signs in afresh each time (t.login keeps one session per person).
    await t.tokens('dy0003')
    await t.tokens('dy0003')
    await t.tokens('dy0003')
    const user = await t.db.selectFrom('users').select('id').where('username', '=', 'dy0003').executeTakeFirstOrThrow()
    expect(await t.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute()).toHaveLength(3)
    const ledger = await t.db.selectFrom('point_ledger').select('points').where('user_id', '=', user.id).execute()
    expect(ledger).toEqual([{ points: 1 }])
    const totals = await t.db
      .selectFrom('point_totals')
      .select(['period', 'points'])
      .where('user_id', '=', user.id)
      .orderBy('period')
      .execute()
    expect(totals.map((r) => r.points)).toEqual([1, 1, 1, 1]) // day, month, total, week
  })
})
