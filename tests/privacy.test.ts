// 个人信息保护法: names on boards only by consent (masked as 张* with the unit until then, on the
// REST board and on the live push alike), the first-login notice, export of exactly one's own
// data, and deletion by request that anonymises the account while statistics keep their counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { connect, record, until, type ClientSocket } from './helpers/sockets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { award } from '../server/modules/points/award.js'
import { boardName, maskName } from '../server/modules/privacy/index.js'
import { decideDeletion, requestDeletion } from '../server/modules/privacy/service.js'
import type { AppError } from '../server/lib/errors.js'
import { principalOf } from './helpers/principals.js'

let t: TestContext
let admin: string
/** The raw bytes of a download (supertest would otherwise try to read an xlsx as text). */
const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = []
  res.on('data', (c: Buffer) => chunks.push(c))
  res.on('end', () => cb(null, Buffer.concat(chunks)))
}
const sockets: ClientSocket[] = []
const person = (username: string) =>
  t.db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.org_id', 'users.name', 'orgs.name as org_name'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow()
const earn = (u: { id: number; org_id: number }, key: string) =>
  t.db.transaction().execute((tx) => award(tx, { userId: u.id, orgId: u.org_id, rule: 'opinion', idemKey: key, at: new Date() }))

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  admin = await t.login(DEMO_ADMIN.username)
})
afterAll(async () => {
  for (const s of sockets) s.close()
  await t?.close()
})

describe('masking', () => {
  it('keeps the first character only', () => {
    expect(maskName('张明')).toBe('张*')
    expect(maskName('欧阳明华')).toBe('欧*')
    expect(boardName('张明', false, 'opt-in')).toBe('张*')
    expect(boardName('张明', true, 'opt-in')).toBe('张明')
    expect(boardName('张明', false, 'on')).toBe('张明')
  })
})

describe('names by consent', () => {
  it('a member who has not chosen meets the notice, and shows masked with her unit on the board and its push until she consents', async () => {
    const her = await person('dy0126') // 省中小企业服务中心党支部: not yet asked in the demo data
    const token = await t.login('dy0126')
    expect((await t.http().get('/api/me/privacy').set(bearer(token))).body).toMatchObject({
      showOnLeaderboards: false,
      noticeSeen: false,
      deletionRequest: null,
    })
    await earn(her, 'privacy-1')

    const watcherToken = await t.login('dy0001')
    const watcher = await connect(t.baseUrl, watcherToken)
    sockets.push(watcher)
    const log = record(watcher, 'points:leaderboard')
    expect(await watcher.timeout(5000).emitWithAck('points:watch', { period: 'total' })).toEqual({ ok: true })
    const first = await until(() => log.find((e) => e.payload.top.some((r: any) => r.id === her.id)))
    const masked = { name: `${Array.from(her.name)[0]}*`, orgName: her.org_name }
    expect(first.payload.top.find((r: any) => r.id === her.id)).toMatchObject(masked)
    expect(JSON.stringify(first.payload)).not.toContain(her.name)
    const board = (await t.http().get('/api/leaderboards/points?period=total').set(bearer(watcherToken))).body
    expect(board.find((r: any) => r.id === her.id)).toMatchObject(masked)
    expect(JSON.stringify(board)).not.toContain(her.name)

    // She consents: the push and the board name her.
    const before = log.length
    const res = await t.http().put('/api/me/privacy').set(bearer(token)).send({ showOnLeaderboards: true })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ showOnLeaderboards: true })
    const pushed = await until(() => log.slice(before).find((e) => e.payload.top.some((r: any) => r.id === her.id && r.name === her.name)))
    expect(pushed).toBeTruthy()
    expect(
      (await t.http().get('/api/leaderboards/points?period=total').set(bearer(watcherToken))).body.find((r: any) => r.id === her.id).name,
    ).toBe(her.name)
    expect((await t.http().get('/api/me/privacy').set(bearer(token))).body).toMatchObject({ showOnLeaderboards: true, noticeSeen: true })

    // And withdraws it again (changeable in 我的): masked once more.
    await t.http().put('/api/me/privacy').set(bearer(token)).send({ showOnLeaderboards: false })
    expect(
      (await t.http().get('/api/leaderboards/points?period=total').set(bearer(watcherToken))).body.find((r: any) => r.id === her.id),
    ).toMatchObject(masked)
    const consents = await t.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'privacy.consent')
      .where('target_id', '=', String(her.id))
      .orderBy('id')
      .execute()
    expect(consents.map((c) => c.details)).toEqual([{ showOnLeaderboards: true }, { showOnLeaderboards: false }])
  })

  it('refuses a consent body that is not a boolean', async () => {
    const token = await t.login('dy0127')
    expect((await t.http().put('/api/me/privacy').set(bearer(token)).send({ showOnLeaderboards: 'maybe' })).status).toBe(400)
    expect((await t.http().put('/api/me/privacy').set(bearer(token)).send({})).status).toBe(400)
  })
})

describe("export of one's own data", () => {
  it("holds exactly the member's own records, as JSON and as xlsx, and is audited", async () => {
    const me = await person('dy0040')
    const other = await person('dy0041')
    await earn(me, 'export-mine')
    await earn(other, 'export-other')
    const token = await t.login('dy0040')
    await t.http().post('/api/feedback').set(bearer(token)).send({ category: '建议', content: '希望增加三线精神的视频' })
    await t
      .http()
      .post('/api/feedback')
      .set(bearer(await t.login('dy0041')))
      .send({ category: '投诉', content: '别人的投诉内容' })

    // 发表观点 of both (written straight to the table: moderation is not what this test is about).
    const at = new Date()
    await t.db
      .insertInto('comments')
      .values([
        { target_type: 'material', target_id: 1, user_id: me.id, org_id: me.org_id, content: '我的学习体会', created_at: at },
        { target_type: 'material', target_id: 1, user_id: other.id, org_id: other.org_id, content: '别人的学习体会', created_at: at },
      ])
      .execute()

    const res = await t.http().get('/api/me/data?format=json').set(bearer(token))
    expect(res.status).toBe(200)
    const data = res.body
    expect(data.profile).toMatchObject({ id: me.id, name: me.name, orgName: me.org_name })
    expect(Object.keys(data).sort()).toEqual([
      'activities',
      'attempts',
      'comments',
      'feedback',
      'logins',
      'pointsLedger',
      'profile',
      'studyTime',
    ])
    expect(data.comments.map((c: any) => [c.content, c.status])).toEqual([['我的学习体会', 'pending']])
    const ledgerRows = await t.db.selectFrom('point_ledger').select('id').where('user_id', '=', me.id).execute()
    expect(data.pointsLedger).toHaveLength(ledgerRows.length)
    expect(data.feedback.map((f: any) => f.content)).toEqual(['希望增加三线精神的视频'])
    expect(data.logins.length).toBeGreaterThan(0)
    const text = JSON.stringify(data)
    expect(text).not.toContain(other.name)
    expect(text).not.toContain('别人的投诉内容')
    expect(text).not.toContain('别人的学习体会')
    expect(text).not.toMatch(/password|totp/i)

    const xlsx = await t.http().get('/api/me/data?format=xlsx').set(bearer(token)).buffer(true).parse(binary)
    expect(xlsx.status).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.body)
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '个人信息',
      '积分明细',
      '考试记录',
      '学习时长',
      '活动参与',
      '投诉建议',
      '发表观点',
      '登录记录',
    ])
    expect(String(wb.getWorksheet('个人信息')!.getRow(2).getCell(2).value)).toBe(me.name)
    expect(wb.getWorksheet('积分明细')!.rowCount).toBe(ledgerRows.length + 1)

    const exports = await t.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'privacy.export')
      .where('target_id', '=', String(me.id))
      .execute()
    expect(exports.map((e) => e.details)).toEqual([{ format: 'json' }, { format: 'xlsx' }])
  })
})

describe('deletion by request', () => {
  it('an admin approves; the account is anonymised, signed out and cannot log in; its points still count for the unit', async () => {
    const her = await person('dy0042')
    await earn(her, 'deletion-1')
    const tokens = await t.tokens('dy0042')
    const asked = await t.http().post('/api/me/deletion-request').set(bearer(tokens.accessToken)).send({ reason: '调离本单位' })
    expect(asked.status).toBe(201)
    expect((await t.http().post('/api/me/deletion-request').set(bearer(tokens.accessToken)).send({})).status).toBe(409)
    expect((await t.http().get('/api/me/privacy').set(bearer(tokens.accessToken))).body.deletionRequest).toMatchObject({
      id: asked.body.id,
      status: 'pending',
    })

    // Members and secretaries cannot decide; nothing changes until an admin does.
    expect(
      (
        await t
          .http()
          .post(`/api/privacy/deletion-requests/${asked.body.id}/decide`)
          .set(bearer(await t.login('sj_bgs')))
          .send({ approve: true })
      ).status,
    ).toBe(403)
    const list = (await t.http().get('/api/privacy/deletion-requests').set(bearer(admin))).body
    expect(list.find((r: any) => r.id === asked.body.id)).toMatchObject({
      userId: her.id,
      name: her.name,
      status: 'pending',
      reason: '调离本单位',
    })

    const decided = await t
      .http()
      .post(`/api/privacy/deletion-requests/${asked.body.id}/decide`)
      .set(bearer(admin))
      .send({ approve: true, note: '已核实' })
    expect(decided.status).toBe(200)
    expect(decided.body.status).toBe('approved')
    expect(
      (await t.http().post(`/api/privacy/deletion-requests/${asked.body.id}/decide`).set(bearer(admin)).send({ approve: false })).status,
    ).toBe(409)

    const row = await t.db.selectFrom('users').selectAll().where('id', '=', her.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: '已注销用户', username: `deleted-${her.id}`, active: false, show_on_leaderboards: false })
    expect(row.anonymised_at).not.toBeNull()
    expect((await t.http().get('/api/me').set(bearer(tokens.accessToken))).status).toBe(401)
    expect((await t.http().post('/api/auth/login').send({ username: 'dy0042', password: 'Demo@2026' })).status).toBe(401)
    const sessions = await t.db.selectFrom('sessions').select(['ip', 'user_agent', 'revoked_at']).where('user_id', '=', her.id).execute()
    expect(sessions.every((s) => s.ip === null && s.user_agent === null && s.revoked_at !== null)).toBe(true)
    // The ledger stays for the unit's statistics, under the anonymised account.
    expect((await t.db.selectFrom('point_ledger').select('id').where('user_id', '=', her.id).execute()).length).toBeGreaterThan(0)
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'reason'])
      .where('target_id', '=', String(her.id))
      .where('action', 'like', 'privacy.deletion%')
      .orderBy('id')
      .execute()
    expect(audit).toEqual([
      { action: 'privacy.deletion_requested', reason: null },
      { action: 'privacy.deletion_approved', reason: '已核实' },
    ])
  })

  it('two admins deciding one request at once: one decides, the other is a 409, and it is audited once', async () => {
    const her = await person('dy0044')
    const asked = (
      await t
        .http()
        .post('/api/me/deletion-request')
        .set(bearer(await t.login('dy0044')))
        .send({})
    ).body
    // Straight to the service, so both read the request before either writes (over HTTP the second
    // request's sign-in check queues behind the first one's transaction on PGlite's one connection).
    const byAdmin = await principalOf(t.db, DEMO_ADMIN.username)
    const decide = (approve: boolean) => decideDeletion(t.app.deps, byAdmin, asked.id, approve, undefined, () => {})
    const answers = await Promise.allSettled([decide(true), decide(false)])
    const codes = answers.map((a) => (a.status === 'fulfilled' ? 200 : (a.reason as AppError).statusCode))
    // Which admin wins is up to the database; exactly one does, and hers is the only decision kept.
    expect([...codes].sort()).toEqual([200, 409])
    const approved = codes[0] === 200
    const decisions = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', String(her.id))
      .where('action', 'in', ['privacy.deletion_approved', 'privacy.deletion_rejected'])
      .execute()
    expect(decisions).toEqual([{ action: approved ? 'privacy.deletion_approved' : 'privacy.deletion_rejected' }])
    const request = await t.db.selectFrom('deletion_requests').select('status').where('id', '=', asked.id).executeTakeFirstOrThrow()
    expect(request.status).toBe(approved ? 'approved' : 'rejected')
  })

  it('requests sent at once (a double tap, two tabs): one is stored, the others told one is already waiting', async () => {
    // Straight to the service, so all are in flight together (see the test above).
    const her = await principalOf(t.db, 'dy0045')
    const answers = await Promise.allSettled(Array.from({ length: 6 }, () => requestDeletion(t.app.deps, her, '双击')))
    const refused = answers.filter((a) => a.status === 'rejected').map((a) => (a as PromiseRejectedResult).reason as AppError)
    expect(refused.map((e) => [e.statusCode, e.message])).toEqual(Array(5).fill([409, '已有待审核的注销申请']))
    const stored = await t.db.selectFrom('deletion_requests').select('status').where('user_id', '=', her.userId).execute()
    expect(stored).toEqual([{ status: 'pending' }])
    const audited = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', String(her.userId))
      .where('action', '=', 'privacy.deletion_requested')
      .execute()
    expect(audited).toHaveLength(1)
  })

  it('a rejection changes nothing but the request', async () => {
    const token = await t.login('dy0043')
    const asked = (await t.http().post('/api/me/deletion-request').set(bearer(token)).send({})).body
    expect(
      (await t.http().post(`/api/privacy/deletion-requests/${asked.id}/decide`).set(bearer(admin)).send({ approve: false, note: '仍在职' }))
        .body.status,
    ).toBe('rejected')
    expect((await t.http().get('/api/me').set(bearer(token))).status).toBe(200)
  })
})
