// The notification centre and the exam notices: each kind fires once, at its time (an injected
// clock), only to the people it concerns, without duplicates when two nodes run the job at once,
// and arrives live on the person's socket. Nobody reads or marks another person's notifications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { connect, record, until, type ClientSocket } from './helpers/sockets.js'
import { ManualClock } from '../server/lib/clock.js'
import { runNotificationJob } from '../server/modules/notifications/index.js'
import { notify } from '../server/modules/notifications/service.js'
import { withTransaction } from '../server/lib/transaction.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

const START = new Date('2026-12-07T01:00:00Z') // 09:00 in Beijing
const clock = new ManualClock(START)
let t: TestContext
let admin: string
let branch: { id: number; name: string }
let insiders: { id: number; username: string }[]
let outsider: { id: number; username: string }
let exam: { id: number; opensAt: string; closesAt: string }
const sockets: ClientSocket[] = []

const minutes = (n: number) => n * 60_000
const causesOf = async (userId: number) =>
  (await t.db.selectFrom('notifications').select(['kind', 'cause']).where('user_id', '=', userId).orderBy('id').execute()).map(
    (r) => r.kind,
  )

beforeAll(async () => {
  t = await createTestContext({ clock, listen: true })
  admin = await t.login(DEMO_ADMIN.username)
  const orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body as { id: number; name: string }[]
  branch = orgs.find((o) => o.name === '办公室党支部')!
  const people = await t.db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.username', 'orgs.name as org', 'users.role'])
    .where('users.active', '=', true)
    .execute()
  insiders = people.filter((p) => p.org === branch.name && p.role === 'member').slice(0, 3)
  outsider = people.find((p) => p.org !== branch.name && p.role === 'member')!
  exam = await examFor(branch.id, {
    title: '党史知识集中测试（通知）',
    opensAt: new Date(START.getTime() + minutes(120)).toISOString(),
    closesAt: new Date(START.getTime() + minutes(240)).toISOString(),
    releaseResults: 'after_close',
  })
})

/** A two-question exam for `orgId`'s people, made by the admin. */
async function examFor(orgId: number, fields: { title: string; opensAt: string; closesAt: string; releaseResults: string }) {
  const res = await t
    .http()
    .post('/api/exams')
    .set(bearer(admin))
    .send({
      durationMinutes: 30,
      audienceOrgIds: [orgId],
      passScore: 0,
      maxAttempts: 1,
      shuffleQuestions: false,
      shuffleOptions: false,
      paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
      ...fields,
    })
  expect(res.status).toBe(201)
  return res.body
}
afterAll(async () => {
  for (const s of sockets) s.close()
  await t?.close()
})

describe('exam notices', () => {
  it('a new exam is announced once to the people it is for, live on their sockets', async () => {
    const token = await t.login(insiders[0].username)
    const socket = await connect(t.baseUrl, token)
    sockets.push(socket)
    const live = record(socket, 'notification')
    expect(await runNotificationJob(t.app.deps)).toBe(
      (
        await t.db
          .selectFrom('users')
          .innerJoin('orgs', 'orgs.id', 'users.org_id')
          .select(sql<number>`count(*)::int`.as('n'))
          .where(
            'orgs.path',
            'like',
            `${(await t.db.selectFrom('orgs').select('path').where('id', '=', branch.id).executeTakeFirstOrThrow()).path}%`,
          )
          .where('users.active', '=', true)
          .where('users.role', '!=', 'admin')
          .executeTakeFirstOrThrow()
      ).n,
    )
    await until(() => live.length > 0)
    expect(live[0].payload).toMatchObject({ kind: 'exam_published', link: `/exams/${exam.id}`, readAt: null })
    expect(live[0].payload.title).toContain('党史知识集中测试（通知）')
    // Opening and closing this year: month and day are enough (Beijing time, 11:00 and 13:00).
    expect(live[0].payload.body).toBe('12月7日 11:00 开始，12月7日 13:00 截止，限时 30 分钟。')
    expect(await runNotificationJob(t.app.deps)).toBe(0)
    expect(await causesOf(insiders[0].id)).toEqual(['exam_published'])
    expect(await causesOf(outsider.id)).toEqual([])
    const adminId = (await t.db.selectFrom('users').select('id').where('username', '=', DEMO_ADMIN.username).executeTakeFirstOrThrow()).id
    expect(await causesOf(adminId)).toEqual([])
  })

  it('30 minutes before the start: "opens soon", once, not earlier', async () => {
    clock.set(new Date(START.getTime() + minutes(80)))
    expect(await runNotificationJob(t.app.deps)).toBe(0)
    clock.set(new Date(START.getTime() + minutes(91)))
    expect(await runNotificationJob(t.app.deps)).toBeGreaterThan(0)
    expect(await runNotificationJob(t.app.deps)).toBe(0)
    expect(await causesOf(insiders[1].id)).toEqual(['exam_published', 'exam_opening'])
  })

  it('30 minutes before the close: "closes soon" only to those who have not started', async () => {
    clock.set(new Date(START.getTime() + minutes(130)))
    const taker = await t.login(insiders[0].username)
    const started = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(taker))
    expect(started.status).toBe(200)
    expect((await t.http().post(`/api/attempts/${started.body.attemptId}/submit`).set(bearer(taker))).status).toBe(200)
    clock.set(new Date(START.getTime() + minutes(200)))
    expect(await runNotificationJob(t.app.deps)).toBe(0)
    clock.set(new Date(START.getTime() + minutes(211)))
    await runNotificationJob(t.app.deps)
    expect(await causesOf(insiders[0].id)).toEqual(['exam_published', 'exam_opening'])
    expect(await causesOf(insiders[1].id)).toEqual(['exam_published', 'exam_opening', 'exam_closing'])
  })

  it('after the close of an after-close exam: "results released" to those who took it', async () => {
    clock.set(new Date(START.getTime() + minutes(241)))
    await runNotificationJob(t.app.deps)
    expect(await causesOf(insiders[0].id)).toEqual(['exam_published', 'exam_opening', 'results_released'])
    expect(await causesOf(insiders[1].id)).toEqual(['exam_published', 'exam_opening', 'exam_closing'])
  })

  it('two nodes running the job at the same moment send each notice once', async () => {
    const second = await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({
        title: '两个节点的考试',
        opensAt: new Date(clock.now().getTime() + minutes(240)).toISOString(),
        closesAt: new Date(clock.now().getTime() + minutes(300)).toISOString(),
        durationMinutes: 30,
        audienceOrgIds: [branch.id],
        passScore: 0,
        maxAttempts: 1,
        shuffleQuestions: false,
        shuffleOptions: false,
        releaseResults: 'immediately',
        paper: { rules: [{ type: 'judge', count: 1, scoreEach: 100 }] },
      })
    expect(second.status).toBe(201)
    await t.withSecondNode(async (nodeB) => {
      const [a, b] = await Promise.all([runNotificationJob(t.app.deps), runNotificationJob(nodeB.deps)])
      expect(a + b).toBeGreaterThan(0)
      const dupes = await t.db
        .selectFrom('notifications')
        .select(['user_id', 'cause', sql<number>`count(*)::int`.as('n')])
        .groupBy(['user_id', 'cause'])
        .having(sql`count(*)`, '>', 1)
        .execute()
      expect(dupes).toEqual([])
      const perCause = await t.db
        .selectFrom('notifications')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('cause', '=', `exam:${second.body.id}:published`)
        .executeTakeFirstOrThrow()
      expect(perCause.n).toBe(a + b)
    })
  })
})

describe('the notification centre', () => {
  it("lists my own, newest first, counts unread, and marks read — never another person's", async () => {
    const me = await t.login(insiders[1].username)
    const list = (await t.http().get('/api/notifications').set(bearer(me))).body as { id: number; kind: string; readAt: string | null }[]
    expect(list.map((n) => n.kind).slice(0, 4)).toEqual(['exam_published', 'exam_closing', 'exam_opening', 'exam_published'])
    expect((await t.http().get('/api/notifications/unread-count').set(bearer(me))).body).toEqual({ unread: list.length })
    expect((await t.http().post(`/api/notifications/${list[0].id}/read`).set(bearer(me))).status).toBe(204)
    expect((await t.http().get('/api/notifications/unread-count').set(bearer(me))).body).toEqual({ unread: list.length - 1 })
    expect((await t.http().get('/api/notifications?unread=true').set(bearer(me))).body).toHaveLength(list.length - 1)

    // Someone else's notification: as if it did not exist, and it stays unread.
    const other = await t.login(insiders[2].username)
    const theirs = (await t.http().get('/api/notifications').set(bearer(other))).body as { id: number }[]
    expect((await t.http().post(`/api/notifications/${theirs[0].id}/read`).set(bearer(me))).status).toBe(404)
    expect((await t.http().get('/api/notifications/unread-count').set(bearer(other))).body.unread).toBe(theirs.length)
    expect((await t.http().post('/api/notifications/read-all').set(bearer(me))).body).toEqual({ updated: list.length - 1 })
  })

  it("a socket hears only its own person's notifications", async () => {
    const mine = record(sockets[0], 'notification')
    const outsiderSocket = await connect(t.baseUrl, await t.login(outsider.username))
    sockets.push(outsiderSocket)
    const theirs = record(outsiderSocket, 'notification')
    clock.advance(minutes(1))
    await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({
        title: '只给办公室的考试',
        opensAt: new Date(clock.now().getTime() + minutes(600)).toISOString(),
        closesAt: new Date(clock.now().getTime() + minutes(700)).toISOString(),
        durationMinutes: 30,
        audienceOrgIds: [branch.id],
        passScore: 0,
        maxAttempts: 1,
        shuffleQuestions: false,
        shuffleOptions: false,
        releaseResults: 'immediately',
        paper: { rules: [{ type: 'judge', count: 1, scoreEach: 100 }] },
      })
    await runNotificationJob(t.app.deps)
    await until(() => mine.length > 0)
    await new Promise((r) => setTimeout(r, 200))
    expect(theirs).toEqual([])
  })
})

describe('a notice to a whole province', () => {
  it('reaches 12,000 people in one call: more rows than one statement may carry parameters for', async () => {
    // Seven parameters a row and at most 65,535 in a statement: one insert stops at 9,362 people.
    const { id: orgId } = await t.db.selectFrom('orgs').select('id').where('name', '=', branch.name).executeTakeFirstOrThrow()
    const { rows } = await sql<{ id: number }>`
      insert into users (username, name, role, org_id, password_hash, active)
      select 'prov' || g, '全省' || g, 'member', ${orgId}, 'x', false from generate_series(1, 12000) g
      returning id`.execute(t.db)
    const ids = rows.map((r) => r.id)
    const cause = 'province-wide-test'
    const notice = { kind: 'bulletin' as const, title: '全省通报', body: '测试', cause }
    const sent = await withTransaction(t.app.deps, (tx, emit) => notify(tx, emit, ids, notice, clock.now()))
    expect(sent).toBe(12_000)
    const stored = await t.db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('cause', '=', cause)
      .executeTakeFirstOrThrow()
    expect(Number(stored.n)).toBe(12_000)
    // Sent again (a job retried): nobody gets it twice.
    expect(await withTransaction(t.app.deps, (tx, emit) => notify(tx, emit, ids, notice, clock.now()))).toBe(0)
  }, 60_000)
})

describe('an exam open into next year', () => {
  it('says the year of its close, which would otherwise read as a date this year', async () => {
    const yearLong = await examFor(branch.id, {
      title: '全年开放的测试',
      opensAt: START.toISOString(),
      closesAt: new Date('2027-12-07T05:00:00Z').toISOString(),
      releaseResults: 'immediately',
    })
    await runNotificationJob(t.app.deps)
    const notice = await t.db
      .selectFrom('notifications')
      .select('body')
      .where('cause', '=', `exam:${yearLong.id}:published`)
      .where('user_id', '=', insiders[0].id)
      .executeTakeFirstOrThrow()
    expect(notice.body).toBe('12月7日 09:00 开始，2027年12月7日 13:00 截止，限时 30 分钟。')
  })
})
