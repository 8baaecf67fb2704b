import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { award, type AwardInput } from '../server/modules/points/award.js'
import { seededRandom } from '../server/seed/demo-names.js'
import { shanghaiDate } from '../server/lib/time.js'
import { userBoard, orgBoard } from '../server/modules/points/queries.js'

/** An award in its own transaction, as a service would make it. */
const awardNow = (input: AwardInput) => t.db.transaction().execute((tx) => award(tx, input))

// 10:00 in Shanghai on 2026-11-30.
const clock = new ManualClock(new Date('2026-11-30T02:00:00Z'))
let t: TestContext
let admin: string
const userId = async (username: string) =>
  await t.db.selectFrom('users').select(['id', 'org_id']).where('username', '=', username).executeTakeFirstOrThrow()

beforeAll(async () => {
  t = await createTestContext({ clock })
  admin = await t.login(DEMO_ADMIN.username)
})
afterAll(async () => {
  await t?.close()
})

describe('the ledger', () => {
  it('enforces caps under concurrency: parallel awards at the cap earn once', async () => {
    const u = await userId('dy0020')
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        awardNow({ userId: u.id, orgId: u.org_id, rule: 'daily_quiz', idemKey: `cap-test:${i}`, at: clock.now() }),
      ),
    )
    expect(results.reduce((s, r) => s + r.points, 0)).toBe(5)
    const logins = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        awardNow({ userId: u.id, orgId: u.org_id, rule: 'login', idemKey: `login-race:${i}`, at: clock.now() }),
      ),
    )
    expect(logins.reduce((s, r) => s + r.points, 0)).toBe(1)
  })

  it('is idempotent: a retried award never earns twice', async () => {
    const u = await userId('dy0021')
    const a = await Promise.all(
      [1, 2, 3].map(() => awardNow({ userId: u.id, orgId: u.org_id, rule: 'opinion', idemKey: 'opinion:1', at: clock.now() })),
    )
    expect(a.filter((r) => !r.duplicate)).toHaveLength(1)
    const rows = await t.db
      .selectFrom('point_ledger')
      .select('points')
      .where('user_id', '=', u.id)
      .where('rule_code', '=', 'opinion')
      .execute()
    expect(rows).toEqual([{ points: 1 }])
  })

  it('counts the day by Shanghai midnight and derives streaks', async () => {
    const u = await userId('dy0022')
    const at = (iso: string) => new Date(iso)
    // 23:59 and 00:01 Shanghai time are different days, though the same UTC date.
    await awardNow({ userId: u.id, orgId: u.org_id, rule: 'login', idemKey: 's1', at: at('2026-11-28T15:59:00Z') })
    await awardNow({ userId: u.id, orgId: u.org_id, rule: 'login', idemKey: 's2', at: at('2026-11-28T16:01:00Z') })
    await awardNow({ userId: u.id, orgId: u.org_id, rule: 'login', idemKey: 's3', at: at('2026-11-29T03:00:00Z') })
    expect(shanghaiDate(at('2026-11-28T15:59:00Z'))).toBe('2026-11-28')
    const days = await t.db.selectFrom('point_ledger').select('day').where('user_id', '=', u.id).execute()
    expect(days.map((d) => d.day).sort()).toEqual(['2026-11-28', '2026-11-29', '2026-11-29'])
    // Nothing yet today (11-30): the streak still counts through yesterday.
    const member = await t.tokens('dy0022') // logging in today earns 登录 and extends the streak
    const me = (await t.http().get('/api/points/me').set(bearer(member.accessToken))).body
    expect(me.streakDays).toBe(3)
    expect(me.today).toBe(1)
    expect(me.rules.find((r: any) => r.rule === 'login')).toMatchObject({ name: '登录', earnedToday: 1, dailyCap: 1 })
  })
})

describe('rule versions', () => {
  it("keep yesterday's points under yesterday's rule", async () => {
    const u = await userId('dy0023')
    const yesterday = new Date(clock.now().getTime() - 86_400_000)
    await awardNow({ userId: u.id, orgId: u.org_id, rule: 'opinion', idemKey: 'v-old', at: yesterday })
    const past = await t
      .http()
      .post('/api/points/rules')
      .set(bearer(admin))
      .send({ rule: 'opinion', points: 3, effectiveFrom: '2026-11-01' })
    expect(past.status).toBe(422)
    const res = await t.http().post('/api/points/rules').set(bearer(admin)).send({ rule: 'opinion', points: 3, dailyCap: 3 })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ rule: 'opinion', points: 3, version: 2 })
    await awardNow({ userId: u.id, orgId: u.org_id, rule: 'opinion', idemKey: 'v-new', at: clock.now() })
    const rows = await t.db
      .selectFrom('point_ledger')
      .select(['points', 'rule_version', 'day'])
      .where('user_id', '=', u.id)
      .orderBy('id')
      .execute()
    expect(rows.map((r) => [r.points, r.rule_version])).toEqual([
      [1, 1],
      [3, 2],
    ])
    const rules = (await t.http().get('/api/points/rules').set(bearer(admin))).body
    expect(rules.find((r: any) => r.rule === 'opinion').points).toBe(3)
    const member = await t.login('dy0001')
    expect((await t.http().post('/api/points/rules').set(bearer(member)).send({ rule: 'opinion', points: 9 })).status).toBe(403)
  })

  it('adjustments are audited and scoped', async () => {
    const u = await userId('dy0005') // in sj_bgs's branch
    const secretary = await t.login('sj_bgs')
    const res = await t
      .http()
      .post('/api/points/adjustments')
      .set(bearer(secretary))
      .send({ userId: u.id, points: 5, reason: '线下学习补记', requestId: 'r1' })
    expect(res.status).toBe(200)
    const again = await t
      .http()
      .post('/api/points/adjustments')
      .set(bearer(secretary))
      .send({ userId: u.id, points: 5, reason: '线下学习补记', requestId: 'r1' })
    expect(again.body.duplicate).toBe(true)
    const outsider = await userId('sj_dzxx')
    expect(
      (await t.http().post('/api/points/adjustments').set(bearer(secretary)).send({ userId: outsider.id, points: 5, reason: 'x' })).status,
    ).toBe(404)
    const log = await t.db.selectFrom('audit_log').select('reason').where('action', '=', 'points.adjust').execute()
    expect(log).toEqual([{ reason: '线下学习补记' }])
  })
})

describe('leaderboards against brute force', () => {
  it('match a direct computation over the ledger on random data', async () => {
    const users = await t.db
      .selectFrom('users')
      .innerJoin('orgs', 'orgs.id', 'users.org_id')
      .select(['users.id', 'users.org_id', 'orgs.path'])
      .where('users.role', '!=', 'admin')
      .execute()
    const random = seededRandom(7)
    const rules = ['article', 'video', 'daily_quiz', 'challenge', 'login', 'opinion']
    const base = new Date('2026-11-20T02:00:00Z').getTime()
    for (let i = 0; i < 300; i++) {
      const u = users[Math.floor(random() * users.length)]
      await awardNow({
        userId: u.id,
        orgId: u.org_id,
        rule: rules[Math.floor(random() * rules.length)],
        idemKey: `rand:${i}`,
        at: new Date(base + Math.floor(random() * 12) * 86_400_000),
      })
    }
    const ledger = await t.db.selectFrom('point_ledger').select(['user_id', 'points', 'day']).execute()
    const day = shanghaiDate(clock.now())
    const inPeriod = (d: string, period: string) =>
      period === 'total' ||
      (period === 'month' && d.slice(0, 7) === day.slice(0, 7)) ||
      (period === 'day' && d === day) ||
      (period === 'week' && d >= '2026-11-30' && d <= '2026-12-06')
    const root = await t.db.selectFrom('orgs').selectAll().where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
    for (const period of ['day', 'week', 'month', 'total'] as const) {
      const sums = new Map<number, number>()
      for (const l of ledger) if (inPeriod(l.day, period)) sums.set(l.user_id, (sums.get(l.user_id) ?? 0) + l.points)
      const expected = [...sums.entries()]
        .filter(([id, p]) => p > 0 && users.some((u) => u.id === id))
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, 50)
      const board = await userBoard(t.db, period, day, root.path)
      expect(
        board.map((r) => [r.id, r.points]),
        period,
      ).toEqual(expected)
      // Competition ranking: equal points share a rank.
      board.forEach((r) => expect(r.rank).toBe(board.findIndex((x) => x.points === r.points) + 1))

      const orgRows = await orgBoard(t.db, period, day, root.id)
      const units = await t.db
        .selectFrom('orgs')
        .select(['id', 'path'])
        .where('parent_id', '=', root.id)
        .where('active', '=', true)
        .execute()
      for (const unit of units) {
        const members = users.filter((u) => u.path.startsWith(unit.path))
        const total = members.reduce((s, u) => s + (sums.get(u.id) ?? 0), 0)
        const row = orgRows.find((r) => r.id === unit.id)!
        expect(row.members).toBe(members.length)
        expect(row.points).toBe(total)
        expect(row.perCapita).toBeCloseTo(members.length ? Math.round((total / members.length) * 10) / 10 : 0, 5)
      }
    }
  })

  it('scopes the API: members see their own ancestors only', async () => {
    const member = await t.login('dy0001')
    const orgs = (await t.http().get('/api/orgs').set(bearer(member))).body
    const mine = orgs.find((o: any) => o.name === '办公室党支部')
    const other = orgs.find((o: any) => o.name === '电子信息处党支部')
    expect((await t.http().get(`/api/leaderboards/points?period=total&orgId=${mine.id}`).set(bearer(member))).status).toBe(200)
    expect((await t.http().get(`/api/leaderboards/points?period=total`).set(bearer(member))).status).toBe(200)
    expect((await t.http().get(`/api/leaderboards/points?period=total&orgId=${other.id}`).set(bearer(member))).status).toBe(403)
    const byOrg = await t.http().get(`/api/leaderboards/points?period=total&by=org`).set(bearer(member))
    expect(byOrg.body[0]).toEqual(expect.objectContaining({ rank: 1, members: expect.any(Number), perCapita: expect.any(Number) }))
  })
})

describe('rule caps', () => {
  it('null means "no cap", not zero', async () => {
    const admin = await t.login(DEMO_ADMIN.username)
    const res = await t.http().post('/api/points/rules').set(bearer(admin)).send({ rule: 'weekly_quiz', weeklyCap: null, dailyCap: 3 })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ weeklyCap: null, dailyCap: 3 })
  })
})
