// The security audit trail (等保2.0 §8.1.4.3): sign-ins and failures, sign-outs, role changes,
// policy switches, exports and imports are logged; nobody alters the log through the app (no route
// writes it, and the database refuses UPDATE, DELETE and TRUNCATE); admins and auditors search and
// export it; an auditor reaches nothing else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import { createTestContext, bearer, binary, type TestContext } from './helpers/app.js'
import { connect } from './helpers/sockets.js'
import { csv } from './helpers/sheets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
let auditor: string
const search = async (token: string, query: string) => {
  const res = await t.http().get(`/api/audit?${query}`).set(bearer(token))
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body as { items: any[]; total: number }
}

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  admin = await t.login(DEMO_ADMIN.username)
  const root = (await t.db.selectFrom('users').select('org_id').where('username', '=', DEMO_ADMIN.username).executeTakeFirstOrThrow())
    .org_id
  const created = await t
    .http()
    .post('/api/users')
    .set(bearer(admin))
    .send({ username: 'shenji01', name: '审计员', password: 'Harbor-Lamp-2026', orgId: root, role: 'auditor' })
  expect(created.status).toBe(201)
  auditor = await t.login('shenji01', 'Harbor-Lamp-2026')
})
afterAll(async () => {
  await t?.close()
})

describe('what is audited', () => {
  it('sign-ins, failures, sign-outs, role changes, policy switches, imports and exports', async () => {
    const since = new Date(Date.now() - 1000).toISOString()
    await t.http().post('/api/auth/login').send({ username: 'dy0003', password: 'wrong-password' })
    const session = await t.tokens('dy0003')
    await t.http().post('/api/auth/logout').set(bearer(session.accessToken))
    const target = (await t.http().get('/api/users?q=dy0004').set(bearer(admin))).body.items[0]
    await t.http().patch(`/api/users/${target.id}`).set(bearer(admin)).send({ role: 'secretary' })
    await t.http().patch('/api/policy').set(bearer(admin)).send({ secretaryIndividualLists: true })
    await t
      .http()
      .post('/api/users/import')
      .set(bearer(admin))
      .attach(
        'file',
        csv(['用户名', '姓名', '组织', '角色', '初始密码'], [['audit_imp1', '导入人', '办公室党支部', '党员', 'Init2026a-Harbor']]),
        'p.csv',
      )
    await t
      .http()
      .get('/api/me/data')
      .set(bearer(await t.login('dy0005')))

    const { items } = await search(admin, `from=${encodeURIComponent(since)}&pageSize=200`)
    const actions = new Set(items.map((i) => i.action))
    for (const a of [
      'auth.login_failed',
      'auth.login',
      'auth.logout',
      'user.update',
      'user.role',
      'policy.update',
      'user.import',
      'privacy.export',
    ])
      expect(actions, a).toContain(a)
    const failed = items.find((i) => i.action === 'auth.login_failed')
    expect(failed).toMatchObject({ actorId: null, details: { username: 'dy0003' } })
    expect(JSON.stringify(failed)).not.toContain('wrong-password')
    expect(items.find((i) => i.action === 'user.role')).toMatchObject({
      targetId: String(target.id),
      details: { from: 'member', to: 'secretary' },
      actorName: '系统管理员',
      // Read by people as well: the target and details in Chinese, not codes and JSON.
      targetText: `用户 #${target.id}`,
      detailsText: '从：member；到：secretary',
    })
    const login = items.find((i) => i.action === 'auth.login')!
    expect(login.detailsText).toMatch(/^IP：.+；设备：.+；动态口令：否$/)
  })

  it('is searchable by action (or an action prefix), actor and time', async () => {
    const auth = await search(admin, 'action=auth.&pageSize=500')
    expect(auth.items.length).toBeGreaterThan(0)
    expect(auth.items.every((i) => i.action.startsWith('auth.'))).toBe(true)
    const adminId = (await t.http().get('/api/me').set(bearer(admin))).body.id
    const mine = await search(admin, `actorId=${adminId}&action=policy.update`)
    expect(mine.items.every((i) => i.actorId === adminId && i.action === 'policy.update')).toBe(true)
    expect(mine.total).toBe(mine.items.length)
    const future = await search(admin, `from=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`)
    expect(future).toEqual({ items: [], total: 0 })
    expect((await t.http().get('/api/audit?from=yesterday').set(bearer(admin))).status).toBe(400)
  })
})

describe('nobody alters the log', () => {
  it('no route writes, edits or deletes audit entries', () => {
    const auditRoutes = t.app.routeTable.filter((r) => r.url.startsWith('/api/audit'))
    expect(auditRoutes.length).toBeGreaterThan(0)
    expect(auditRoutes.flatMap((r) => [r.method].flat()).filter((m) => m !== 'GET' && m !== 'HEAD')).toEqual([])
  })

  it("the database refuses UPDATE, DELETE and TRUNCATE on the log, even to the app's own connection", async () => {
    const before = (await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.db)).rows[0].n
    await expect(t.db.updateTable('audit_log').set({ action: 'forged' }).execute()).rejects.toThrow(/append-only/)
    await expect(t.db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/)
    await expect(sql`truncate audit_log`.execute(t.db)).rejects.toThrow(/append-only/)
    expect((await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(t.db)).rows[0].n).toBe(before)
    expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'forged').execute()).toEqual([])
  })
})

describe('the auditor', () => {
  it('reads, searches and exports the log (the export is itself audited)', async () => {
    expect((await search(auditor, 'pageSize=5')).items.length).toBe(5)
    const res = await t.http().get('/api/audit/export?action=auth.').set(bearer(auditor)).buffer(true).parse(binary)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body)
    const sheet = wb.getWorksheet('审计日志')!
    expect(sheet.getRow(1).getCell(4).value).toBe('操作')
    expect(sheet.rowCount).toBeGreaterThan(1)
    // The export reads as the page does (对象 and 详情 in Chinese).
    expect(String(sheet.getRow(2).getCell(5).value)).toMatch(/^用户 #\d+$/)
    expect(String(sheet.getRow(2).getCell(7).value)).not.toContain('{')
    const exported = (await search(admin, 'action=audit.export')).items
    expect(exported[0]).toMatchObject({ actorUsername: 'shenji01', details: { action: 'auth.' } })
  })

  it('reaches nothing else: every other route answers 403, and sockets are refused', async () => {
    expect((await t.http().get('/api/me').set(bearer(auditor))).body).toMatchObject({ role: 'auditor' })
    const allowed = new Set([
      '/api/me',
      '/api/audit',
      '/api/audit/actions',
      '/api/audit/export',
      '/api/auth/security',
      '/api/about',
      '/api/health',
    ])
    const gets = t.app.routeTable.filter(
      (r) => [r.method].flat().includes('GET') && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && !allowed.has(r.url),
    )
    const answers: string[] = []
    for (const r of gets) {
      const res = await t.http().get(r.url.replace(/:\w+/g, '1')).set(bearer(auditor))
      if (res.status !== 403) answers.push(`${r.url} → ${res.status}`)
    }
    expect(answers).toEqual([])
    for (const [method, url] of [
      ['post', '/api/feedback'],
      ['patch', '/api/policy'],
      ['post', '/api/users'],
      ['put', '/api/me/privacy'],
    ] as const) {
      expect((await t.http()[method](url).set(bearer(auditor)).send({})).status, url).toBe(403)
    }
    await expect(connect(t.baseUrl, auditor)).rejects.toThrow()
  })

  it('members and secretaries cannot read the log; only admins make auditors', async () => {
    expect(
      (
        await t
          .http()
          .get('/api/audit')
          .set(bearer(await t.login('dy0001')))
      ).status,
    ).toBe(403)
    const secretary = await t.login('sj_bgs')
    expect((await t.http().get('/api/audit').set(bearer(secretary))).status).toBe(403)
    const branch = (await t.http().get('/api/me').set(bearer(secretary))).body.orgId
    const made = await t
      .http()
      .post('/api/users')
      .set(bearer(secretary))
      .send({ username: 'shenji02', name: '冒名审计', password: 'Harbor-Lamp-2026', orgId: branch, role: 'auditor' })
    expect(made.status).toBe(403)
  })
})
