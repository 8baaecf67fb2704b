// Attacks by staff on their own records and on the review rule. On the landed main a secretary
// gave herself +1000 points, reopened her own attempt after seeing the key and granted herself
// extra time and attempts; and with results released immediately, the first attempt's review
// showed the key while retakes remained. Each is now refused (403 / no key), nothing written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
let secretary: string
let me: { id: number }
let orgs: any[]
const org = (name: string) => orgs.find((o) => o.name === name)

const newExam = (extra: Record<string, unknown> = {}) =>
  createOpenExam(t, admin, {
    title: `本人权限 ${Date.now()}`,
    audienceOrgIds: [org('办公室党支部').id],
    maxAttempts: 2,
    shuffleOptions: true,
    paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
    ...extra,
  })
const auditCount = async (action: string) => (await t.db.selectFrom('audit_log').select('id').where('action', '=', action).execute()).length

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  secretary = await t.login('sj_bgs')
  me = (await t.http().get('/api/me').set(bearer(secretary))).body
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
})
afterAll(async () => {
  await t?.close()
})

describe('nobody uses staff powers on their own record', () => {
  it('a secretary cannot adjust her own points', async () => {
    const before = (await t.http().get('/api/points/me').set(bearer(secretary))).body.total
    const res = await t
      .http()
      .post('/api/points/adjustments')
      .set(bearer(secretary))
      .send({ userId: me.id, points: 1000, reason: '自己加分' })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('SELF_SERVICE_FORBIDDEN')
    expect((await t.http().get('/api/points/me').set(bearer(secretary))).body.total).toBe(before)
    // A second person does it, and the audit names both.
    const other = await t
      .http()
      .post('/api/points/adjustments')
      .set(bearer(admin))
      .send({ userId: me.id, points: 3, reason: '线下学习补记' })
    expect(other.status).toBe(200)
    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'points.adjust')
      .where('target_id', '=', String(me.id))
      .executeTakeFirstOrThrow()
    expect(entry.actor_id).not.toBe(me.id)
    expect((entry.details as any).userId).toBe(me.id)
  })

  it('a secretary cannot grant herself extra time or attempts, nor reopen her own attempt', async () => {
    const exam = await newExam({ maxAttempts: 1 })
    const audits = await auditCount('exam.allowance')
    for (const body of [
      { userId: me.id, extraMinutes: 30, reason: '自己延时' },
      { userId: me.id, extraAttempts: 3, reason: '自己加次数' },
    ]) {
      const res = await t.http().post(`/api/exams/${exam.id}/allowances`).set(bearer(secretary)).send(body)
      expect(res.status).toBe(403)
    }
    expect(await auditCount('exam.allowance')).toBe(audits)
    expect(await t.db.selectFrom('exam_allowances').select('user_id').where('exam_id', '=', exam.id).execute()).toEqual([])

    const start = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(secretary)).send({})).body
    await t.http().post(`/api/attempts/${start.attemptId}/submit`).set(bearer(secretary)).expect(200)
    const reopen = await t
      .http()
      .post(`/api/attempts/${start.attemptId}/reopen`)
      .set(bearer(secretary))
      .send({ reason: '看完答案再答一次' })
    expect(reopen.status).toBe(403)
    const row = await t.db.selectFrom('attempts').select('status').where('id', '=', start.attemptId).executeTakeFirstOrThrow()
    expect(row.status).toBe('submitted')
  })

  it('staff cannot reset their own password, role, unit or state through the staff route', async () => {
    for (const patch of [
      { password: 'Brand-New-Pass-2026' },
      { role: 'admin' },
      { active: false },
      { orgId: org('电子信息处党支部').id },
    ]) {
      const res = await t.http().patch(`/api/users/${me.id}`).set(bearer(secretary)).send(patch)
      expect(res.status).toBe(403)
    }
    const row = await t.db.selectFrom('users').select(['role', 'active', 'org_id']).where('id', '=', me.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ role: 'secretary', active: true, org_id: org('办公室党支部').id })
  })
})

describe('review waits until no retake remains', () => {
  it('with results released at once and a second attempt left, the first review shows no key', async () => {
    const exam = await newExam({ maxAttempts: 2 })
    const member = await t.login('dy0001')
    const first = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).body
    await t.http().post(`/api/attempts/${first.attemptId}/submit`).set(bearer(member)).expect(200)
    const view = (await t.http().get(`/api/attempts/${first.attemptId}`).set(bearer(member))).body
    expect(view.reviewAvailable).toBe(false)
    expect(view.questions).toBeUndefined()
    expect(JSON.stringify(view)).not.toMatch(/correctAnswer|explanation/)
    // The last attempt used: now the review opens, for both attempts.
    const second = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).body
    await t.http().post(`/api/attempts/${second.attemptId}/submit`).set(bearer(member)).expect(200)
    const after = (await t.http().get(`/api/attempts/${first.attemptId}`).set(bearer(member))).body
    expect(after.reviewAvailable).toBe(true)
    expect(after.questions[0]).toHaveProperty('correctAnswer')
  })

  it('"考试结束后统一公布": neither score, pass nor best score shows before the exam closes', async () => {
    const exam = await newExam({ maxAttempts: 1, releaseResults: 'after_close' })
    const member = await t.login('dy0003')
    const a = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).body
    await t.http().post(`/api/attempts/${a.attemptId}/submit`).set(bearer(member)).expect(200)
    const view = (await t.http().get(`/api/attempts/${a.attemptId}`).set(bearer(member))).body
    expect(view.status).toBe('submitted')
    expect(view).not.toHaveProperty('score')
    expect(view).not.toHaveProperty('passed')
    const listed = (await t.http().get('/api/exams').set(bearer(member))).body.find((e: any) => e.id === exam.id)
    expect(listed.myBestScore).toBeNull()
  })
})

describe("a parent unit's secretary watches but does not sit her branches' exams", () => {
  it('starting an exam meant for a branch below her is refused', async () => {
    const parentSecretaryOrg =
      org('机关党委') ?? orgs.find((o) => o.kind !== 'branch' && orgs.some((c) => c.parentId === o.id && c.name === '办公室党支部'))
    const username = `fsj${Date.now().toString(36)}`
    await t
      .http()
      .post('/api/users')
      .set(bearer(admin))
      .send({ username, name: '上级书记', password: 'Parent-Sec-2026', orgId: parentSecretaryOrg.id, role: 'secretary' })
      .expect(201)
    const token = (await t.http().post('/api/auth/login').send({ username, password: 'Parent-Sec-2026' })).body.accessToken
    const exam = await newExam()
    expect((await t.http().get(`/api/exams/${exam.id}/monitor`).set(bearer(token))).status).toBe(200)
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(token)).send({})
    expect(start.status).toBe(403)
    expect(await t.db.selectFrom('attempts').select('id').where('exam_id', '=', exam.id).execute()).toEqual([])
  })
})
