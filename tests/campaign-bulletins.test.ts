// 月工作提示 with read receipts, and 简报 reviewed up the tree into the 专栏 with read counts:
// numbering, scope, sanitising hostile HTML, nobody publishing their own unit's briefing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
const tok: Record<string, string> = {}
const org: Record<string, { id: number; name: string }> = {}
const PASSWORD = 'Harbor-Lamp-2026'

async function call(method: 'get' | 'post', url: string, token: string, body?: object) {
  const req = t.http()[method](url).set(bearer(token))
  return body === undefined ? req : req.send(body)
}
async function ok(method: 'get' | 'post', url: string, token: string, body?: object) {
  const res = await call(method, url, token, body)
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  const root = await t.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
  org.U = await ok('post', '/api/orgs', admin, { name: '简报测试党委', parentId: root.id, kind: 'unit' })
  org.B = await ok('post', '/api/orgs', admin, { name: '简报测试支部', parentId: org.U.id, kind: 'branch' })
  org.X = await ok('post', '/api/orgs', admin, { name: '简报无关支部', parentId: root.id, kind: 'branch' })
  const make = async (key: string, orgKey: string, role: string) => {
    const u = await ok('post', '/api/users', admin, {
      username: `bl_${key}_${Date.now().toString(36)}`,
      name: key,
      password: PASSWORD,
      orgId: org[orgKey].id,
      role,
    })
    tok[key] = await t.login(u.username, PASSWORD)
  }
  await make('secU', 'U', 'secretary')
  await make('secB', 'B', 'secretary')
  await make('secX', 'X', 'secretary')
  await make('m1', 'B', 'member')
  await make('m2', 'B', 'member')
})
afterAll(async () => {
  await t?.close()
})

describe('月工作提示', () => {
  it('numbers issues, sanitises them, and counts read receipts per unit', async () => {
    const before = (await ok('get', '/api/campaign/bulletins', admin)).length
    expect((await call('post', '/api/campaign/bulletins', tok.secU, { title: '工作提示', bodyHtml: '<p>x</p>' })).status).toBe(403)
    expect((await call('post', '/api/campaign/bulletins', admin, { title: '空的', bodyHtml: '<script>alert(1)</script>' })).status).toBe(
      400,
    )
    const first = await ok('post', '/api/campaign/bulletins', admin, {
      title: '7月工作提示',
      bodyHtml:
        '<p onclick="x()">请各支部<strong>按时</strong>上报<img src="javascript:alert(1)"><a href="javascript:alert(1)">台账</a></p><script>alert(1)</script>',
    })
    const second = await ok('post', '/api/campaign/bulletins', admin, { title: '8月工作提示', bodyHtml: '<p>八月</p>' })
    expect(second.issueNo).toBe(first.issueNo + 1)

    const opened = await ok('post', `/api/campaign/bulletins/${first.id}/read`, tok.m1)
    expect(opened.bodyHtml).toContain('<strong>按时</strong>')
    expect(opened.bodyHtml).not.toMatch(/script|onclick|javascript/)
    const again = await ok('post', `/api/campaign/bulletins/${first.id}/read`, tok.m1)
    expect(again.readAt).toBe(opened.readAt)
    await ok('post', `/api/campaign/bulletins/${first.id}/read`, tok.secX)

    const mine = await ok('get', '/api/campaign/bulletins', tok.m1)
    expect(mine).toHaveLength(before + 2)
    expect(mine.find((b: { id: number }) => b.id === first.id).readAt).toBe(opened.readAt)
    expect(mine.find((b: { id: number }) => b.id === second.id).readAt).toBeNull()
    expect(mine[0].readers).toBeUndefined()
    // The unit's secretary counts her subtree's readers only (m1), not the other branch's.
    expect((await ok('get', '/api/campaign/bulletins', tok.secU)).find((b: { id: number }) => b.id === first.id).readers).toBe(1)
    const receipts = await ok('get', `/api/campaign/bulletins/${first.id}/receipts`, tok.secU)
    expect(receipts.find((r: { orgId: number }) => r.orgId === org.B.id)).toMatchObject({ members: 3, readers: 1 })
    expect(receipts.some((r: { orgId: number }) => r.orgId === org.X.id)).toBe(false)
    expect((await call('get', `/api/campaign/bulletins/${first.id}/receipts?orgId=${org.X.id}`, tok.secU)).status).toBe(403)
    expect((await call('get', `/api/campaign/bulletins/${first.id}/receipts`, tok.m1)).status).toBe(403)
    expect((await call('post', '/api/campaign/bulletins/2147483000/read', tok.m1)).status).toBe(404)
  })
})

describe('简报 and the 专栏', () => {
  it('goes up the tree: the unit above publishes, members read it with a read count', async () => {
    expect((await call('post', '/api/campaign/briefings', tok.m1, { orgId: org.B.id, title: '简报', bodyHtml: '<p>x</p>' })).status).toBe(
      403,
    )
    expect((await call('post', '/api/campaign/briefings', tok.secB, { orgId: org.X.id, title: '简报', bodyHtml: '<p>x</p>' })).status).toBe(
      403,
    )
    const { id } = await ok('post', '/api/campaign/briefings', tok.secB, {
      orgId: org.B.id,
      title: '简报测试支部学习教育工作简报（第1期）',
      bodyHtml: `<h2>主题党日</h2><p>支部开展主题党日<img src="/media/${'a'.repeat(32)}.jpg" alt="现场"></p><iframe src="https://evil.example"></iframe>`,
    })
    // Not in the 专栏 before review; not visible to another branch's staff.
    expect((await ok('get', '/api/campaign/column', tok.m1)).some((b: { id: number }) => b.id === id)).toBe(false)
    expect((await call('get', `/api/campaign/column/${id}`, tok.m1)).status).toBe(404)
    expect((await call('get', `/api/campaign/briefings/${id}`, tok.secX)).status).toBe(403)
    expect((await ok('get', '/api/campaign/briefings', tok.secX)).some((b: { id: number }) => b.id === id)).toBe(false)
    expect(
      (await ok('get', `/api/campaign/briefings?orgId=${org.U.id}&status=submitted`, tok.secU)).map((b: { id: number }) => b.id),
    ).toContain(id)

    // The branch does not publish its own briefing; another branch cannot; the unit above can.
    expect((await call('post', `/api/campaign/briefings/${id}/review`, tok.secB, { action: 'publish' })).status).toBe(403)
    expect((await call('post', `/api/campaign/briefings/${id}/review`, tok.secX, { action: 'publish' })).status).toBe(403)
    expect((await call('post', `/api/campaign/briefings/${id}/review`, tok.m1, { action: 'publish' })).status).toBe(403)
    const published = await ok('post', `/api/campaign/briefings/${id}/review`, tok.secU, { action: 'publish', note: '写得好' })
    expect(published).toMatchObject({ status: 'published', reviewNote: '写得好' })
    expect((await call('post', `/api/campaign/briefings/${id}/review`, admin, { action: 'return' })).status).toBe(409)

    const item = await ok('get', `/api/campaign/column/${id}`, tok.m1)
    expect(item.bodyHtml).toContain(`<img src="/media/${'a'.repeat(32)}.jpg" alt="现场" />`)
    expect(item.bodyHtml).not.toContain('iframe')
    expect(item.reads).toBe(1)
    expect((await ok('get', `/api/campaign/column/${id}`, tok.m1)).reads).toBe(1)
    expect((await ok('get', `/api/campaign/column/${id}`, tok.m2)).reads).toBe(2)
    expect((await ok('get', '/api/campaign/column', tok.m2)).find((b: { id: number }) => b.id === id)).toMatchObject({
      reads: 2,
      orgName: '简报测试支部',
    })

    // A returned briefing stays out of the 专栏; the report counts submitted and published ones.
    const other = await ok('post', '/api/campaign/briefings', tok.secB, { orgId: org.B.id, title: '第2期', bodyHtml: '<p>二</p>' })
    await ok('post', `/api/campaign/briefings/${other.id}/review`, admin, { action: 'return', note: '请补充图片' })
    expect((await call('get', `/api/campaign/column/${other.id}`, tok.m1)).status).toBe(404)
    const report = await ok('get', `/api/reports/campaign?orgId=${org.U.id}`, tok.secU)
    expect(report.figures.briefings).toEqual({ submitted: 2, published: 1 })
    expect(report.sections.at(-1).text).toContain('各单位上报学习教育工作简报2期，专栏刊登1期')
  })
})
