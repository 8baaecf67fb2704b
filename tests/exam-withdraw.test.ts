// Issue 13 items 1 and 8, written as the attacks and mistakes they guard against: a reload is not
// 切屏; an exam can be withdrawn only by an admin and only while nobody has started it; one that
// people took is archived (members stop seeing it, the record stays).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
const tok: Record<string, string> = {}
let orgIn: any
let orgOut: any
let seq = 0

async function call(method: 'get' | 'post' | 'delete' | 'patch', url: string, token: string, body?: object) {
  const r = t.http()[method](url).set(bearer(token))
  return body === undefined ? r : r.send(body)
}
async function newExam(orgId: number, opensInMs = -60_000) {
  const res = await call('post', '/api/exams', tok.admin, {
    title: `撤回测试 ${seq++}`,
    opensAt: new Date(Date.now() + opensInMs).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 30,
    audienceOrgIds: [orgId],
    passScore: 0,
    maxAttempts: 2,
    shuffleQuestions: false,
    shuffleOptions: false,
    releaseResults: 'immediately',
    paper: { rules: [{ type: 'judge', count: 1, scoreEach: 100 }] },
  })
  expect(res.status).toBe(201)
  return res.body
}

beforeAll(async () => {
  t = await createTestContext()
  tok.admin = await t.login(DEMO_ADMIN.username)
  tok.sec = await t.login('sj_bgs') // 办公室党支部
  tok.secOut = await t.login('sj_dzxx') // 电子信息处党支部
  tok.member = await t.login('dy0001') // 办公室党支部
  const orgs = (await call('get', '/api/orgs', tok.admin)).body
  orgIn = orgs.find((o: any) => o.name === '办公室党支部')
  orgOut = orgs.find((o: any) => o.name === '电子信息处党支部')
})
afterAll(async () => {
  await t?.close()
})

describe('withdrawing and archiving exams', () => {
  it('a member, an in-scope secretary or an out-of-scope secretary cannot withdraw or archive: 403, the exam stays', async () => {
    const exam = await newExam(orgIn.id)
    const other = await newExam(orgOut.id)
    for (const who of ['member', 'sec', 'secOut']) {
      expect((await call('delete', `/api/exams/${exam.id}`, tok[who])).status).toBe(403)
      expect((await call('delete', `/api/exams/${other.id}`, tok[who])).status).toBe(403)
      expect((await call('post', `/api/exams/${exam.id}/archive`, tok[who], {})).status).toBe(403)
    }
    expect((await call('get', `/api/exams/${exam.id}`, tok.admin)).status).toBe(200)
    expect((await call('get', `/api/exams/${exam.id}`, tok.member)).body.archivedAt).toBeNull()
  })

  it('withdrawing an exam someone started → 409; it can be archived once nobody is answering', async () => {
    const exam = await newExam(orgIn.id)
    const started = await call('post', `/api/exams/${exam.id}/attempts`, tok.member, {})
    expect(started.status).toBe(200)
    const refused = await call('delete', `/api/exams/${exam.id}`, tok.admin)
    expect(refused.status).toBe(409)
    expect(refused.body.error.message).toContain('归档')
    // While someone is answering, archiving would pull the paper from under them.
    expect((await call('post', `/api/exams/${exam.id}/archive`, tok.admin, {})).status).toBe(409)
    expect((await call('post', `/api/attempts/${started.body.attemptId}/submit`, tok.member)).status).toBe(200)
    const archived = await call('post', `/api/exams/${exam.id}/archive`, tok.admin, {})
    expect(archived.status).toBe(200)
    expect(archived.body.archivedAt).toBeTruthy()
    // Members no longer see it and cannot start it again; staff keep the record and the results.
    expect((await call('get', '/api/exams', tok.member)).body.map((e: any) => e.id)).not.toContain(exam.id)
    expect((await call('post', `/api/exams/${exam.id}/attempts`, tok.member, {})).status).toBe(409)
    const results = await call('get', `/api/exams/${exam.id}/results`, tok.sec)
    expect(results.body.find((r: any) => r.username === 'dy0001').status).toBe('submitted')
    const staffList = (await call('get', '/api/exams', tok.admin)).body
    expect(staffList.find((e: any) => e.id === exam.id)).toMatchObject({ started: true })
    expect(staffList.find((e: any) => e.id === exam.id).archivedAt).toBeTruthy()
    // And it can be restored.
    expect((await call('post', `/api/exams/${exam.id}/archive`, tok.admin, { archived: false })).body.archivedAt).toBeNull()
  })

  it('an admin withdraws an exam nobody has started: gone for everyone, audited', async () => {
    const exam = await newExam(orgIn.id, 3_600_000 / 2)
    expect(
      (
        await call('post', `/api/exams/${exam.id}/allowances`, tok.sec, {
          userId: (await call('get', `/api/users?orgId=${orgIn.id}&role=member&pageSize=1&page=2`, tok.admin)).body.items[0].id,
          extraMinutes: 5,
          reason: '测试',
        })
      ).status,
    ).toBe(200)
    expect((await call('get', '/api/exams', tok.admin)).body.find((e: any) => e.id === exam.id)).toMatchObject({ started: false })
    expect((await call('delete', `/api/exams/${exam.id}`, tok.admin)).status).toBe(204)
    expect((await call('get', `/api/exams/${exam.id}`, tok.admin)).status).toBe(404)
    expect((await call('get', '/api/exams', tok.member)).body.map((e: any) => e.id)).not.toContain(exam.id)
    expect((await call('delete', `/api/exams/${exam.id}`, tok.admin)).status).toBe(404)
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'exam.withdraw')
      .where('target_id', '=', exam.id)
      .execute()
    expect(audit).toHaveLength(1)
  })
})

describe('integrity events', () => {
  it('a reload is counted apart from 切屏; only hidden/blur add to blur_count; nobody else can add to mine', async () => {
    const exam = await newExam(orgIn.id)
    const a = (await call('post', `/api/exams/${exam.id}/attempts`, tok.member, {})).body
    for (let i = 0; i < 3; i++)
      expect((await call('post', `/api/attempts/${a.attemptId}/events`, tok.member, { type: 'reload' })).status).toBe(200)
    expect((await call('post', `/api/attempts/${a.attemptId}/events`, tok.member, { type: 'hidden' })).status).toBe(200)
    expect((await call('post', `/api/attempts/${a.attemptId}/events`, tok.sec, { type: 'hidden' })).status).toBe(404)
    const row = await t.db
      .selectFrom('attempts')
      .select(['blur_count', 'reload_count'])
      .where('id', '=', a.attemptId)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ blur_count: 1, reload_count: 3 })
    const results = (await call('get', `/api/exams/${exam.id}/results`, tok.sec)).body
    expect(results.find((r: any) => r.username === 'dy0001')).toMatchObject({ blurCount: 1, reloadCount: 3 })
  })
})
