// 投诉建议 response times: the submitter hears of the answer, and an item left unanswered past the
// deployment's days reaches the secretaries above the submitter — once, however often the job runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { remindOverdueFeedback } from '../server/modules/feedback/index.js'

const clock = new ManualClock(new Date('2026-12-07T01:00:00Z'))
let t: TestContext
const idOf = async (username: string) =>
  (await t.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id
const kindsOf = async (userId: number) =>
  (await t.db.selectFrom('notifications').select('kind').where('user_id', '=', userId).orderBy('id').execute()).map((r) => r.kind)

beforeAll(async () => {
  t = await createTestContext({ clock })
})
afterAll(async () => {
  await t?.close()
})

describe('feedback reminders', () => {
  it('tells the submitter when her item is answered', async () => {
    const member = await t.login('dy0001')
    const item = (
      await t.http().post('/api/feedback').set(bearer(member)).send({ category: '建议', content: '希望增加三线精神的学习资料' })
    ).body
    const reply = await t
      .http()
      .post(`/api/feedback/${item.id}/reply`)
      .set(bearer(await t.login('sj_bgs')))
      .send({ text: '已转交，下月上线' })
    expect(reply.status).toBe(200)
    const mine = (await t.http().get('/api/notifications').set(bearer(member))).body
    expect(mine[0]).toMatchObject({ kind: 'feedback_replied', link: '/me/feedback', body: '已转交，下月上线' })
  })

  it('reminds the secretaries above an unanswered item once it is overdue, once', async () => {
    const item = (
      await t
        .http()
        .post('/api/feedback')
        .set(bearer(await t.login('dy0002')))
        .send({ category: '投诉', content: '匿名反映：支部要求截图', anonymous: true })
    ).body
    const secretary = await idOf('sj_bgs')
    const elsewhere = await idOf('sj_dzxx')
    expect(await remindOverdueFeedback(t.app.deps)).toBe(0) // not yet overdue
    clock.advance(6 * 86_400_000) // default: answer within 5 days
    expect(await remindOverdueFeedback(t.app.deps)).toBeGreaterThan(0)
    expect(await remindOverdueFeedback(t.app.deps)).toBe(0)
    expect(await kindsOf(secretary)).toContain('feedback_overdue')
    expect(await kindsOf(elsewhere)).not.toContain('feedback_overdue')
    const note = await t.db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', secretary)
      .where('kind', '=', 'feedback_overdue')
      .executeTakeFirstOrThrow()
    expect(note.cause).toBe(`feedback:${item.id}:overdue`)
    // Anonymous stays anonymous: the reminder names the unit, never the person.
    expect(note.body).not.toContain('dy0002')
    expect(note.body).toContain('办公室党支部')
  })
})
