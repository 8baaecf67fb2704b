// Exam leaderboards follow the same consent rule as the points boards: on the REST board, on the
// live `exam:leaderboard` push (the monitor and the 大屏 read it) a member who has not consented is
// 张* with her unit; after consenting she shows by name; with boards off there is no board at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { connect, record, until, watchExam, type ClientSocket } from './helpers/sockets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
let exam: { id: number }
const sockets: ClientSocket[] = []
const open = async (token: string) => {
  const s = await connect(t.baseUrl, token)
  sockets.push(s)
  return s
}
const person = (username: string) =>
  t.db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.name', 'users.org_id', 'orgs.name as org_name'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow()

async function takeAndSubmit(token: string, examId: number) {
  const start = await t.http().post(`/api/exams/${examId}/attempts`).set(bearer(token)).send({})
  const row = await t.db.selectFrom('attempts').select('paper').where('id', '=', start.body.attemptId).executeTakeFirstOrThrow()
  const q = (row.paper as any).questions[0]
  await t.http().put(`/api/attempts/${start.body.attemptId}/answers/${q.id}`).set(bearer(token)).send({ answer: q.answer })
  return t.http().post(`/api/attempts/${start.body.attemptId}/submit`).set(bearer(token))
}

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  admin = await t.login(DEMO_ADMIN.username)
  const her = await person('dy0123') // 省中小企业服务中心党支部: has not consented in the demo data
  exam = await createOpenExam(t, admin, { title: '姓名授权测试', audienceOrgIds: [her.org_id] })
})
afterAll(async () => {
  sockets.forEach((s) => s.close())
  await t?.close()
})

describe('exam boards and consent', () => {
  it('masks a member without consent on the board and its push, and names her once she consents', async () => {
    const her = await person('dy0123')
    const masked = { userId: her.id, name: `${Array.from(her.name)[0]}*`, orgName: her.org_name }
    const watcher = await open(admin)
    const log = record(watcher, 'exam:leaderboard')
    expect(await watchExam(watcher, exam.id)).toEqual({ ok: true })

    const token = await t.login('dy0123')
    expect((await takeAndSubmit(token, exam.id)).status).toBe(200)
    const pushed = await until(() => log.find((e) => e.payload.top.some((r: any) => r.userId === her.id)))
    expect(pushed.payload.top.find((r: any) => r.userId === her.id)).toMatchObject(masked)
    expect(JSON.stringify(pushed.payload)).not.toContain(her.name)
    for (const viewer of [admin, await t.login('sj_zxqy'), token]) {
      const board = (await t.http().get(`/api/exams/${exam.id}/leaderboard`).set(bearer(viewer))).body
      expect(board.find((r: any) => r.userId === her.id)).toMatchObject(masked)
    }

    const before = log.length
    await t.http().put('/api/me/privacy').set(bearer(token)).send({ showOnLeaderboards: true })
    // Watchers (the monitor, the 大屏) get the board again with her name, without waiting for another submission.
    await until(() => log.slice(before).find((e) => e.payload.top.some((r: any) => r.userId === her.id && r.name === her.name)))
    const board = (await t.http().get(`/api/exams/${exam.id}/leaderboard`).set(bearer(admin))).body
    expect(board.find((r: any) => r.userId === her.id).name).toBe(her.name)
    // A fresh watch (the 大屏 after a reload) gets her name.
    const screen = await open(admin)
    const screenLog = record(screen, 'exam:leaderboard')
    await watchExam(screen, exam.id)
    const named = await until(() => screenLog.find((e) => e.payload.top.some((r: any) => r.userId === her.id)))
    expect(named.payload.top.find((r: any) => r.userId === her.id).name).toBe(her.name)
  })

  it('with leaderboards off the board is refused and watchers get no rows', async () => {
    await t.http().patch('/api/policy').set(bearer(admin)).send({ leaderboards: 'off' })
    const res = await t.http().get(`/api/exams/${exam.id}/leaderboard`).set(bearer(admin))
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('LEADERBOARDS_OFF')
    const watcher = await open(admin)
    const log = record(watcher, 'exam:leaderboard', 'exam:progress')
    await watchExam(watcher, exam.id)
    await until(() => log.find((e) => e.event === 'exam:progress'))
    await new Promise((r) => setTimeout(r, 300))
    expect(log.filter((e) => e.event === 'exam:leaderboard').every((e) => e.payload.top.length === 0)).toBe(true)
    // The monitor's figures (no names) stay.
    expect((await t.http().get(`/api/exams/${exam.id}/monitor`).set(bearer(admin))).status).toBe(200)
    await t.http().patch('/api/policy').set(bearer(admin)).send({ leaderboards: 'opt-in' })
  })
})
