// 投诉建议 (国办函〔2026〕12号 requires one): members submit, optionally anonymous; staff whose
// subtree holds the submitter's unit answer; statuses move submitted → answered → closed; admins
// get a monthly summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { closeFeedback, replyFeedback } from '../server/modules/feedback/service.js'
import type { AppError } from '../server/lib/errors.js'
import { principalOf } from './helpers/principals.js'

let t: TestContext
let admin: string
let member: string // dy0001, 办公室党支部
let secretary: string // sj_bgs, 办公室党支部
let outsider: string // sj_dzxx, 电子信息处党支部
const submit = (token: string, body: Record<string, unknown>) => t.http().post('/api/feedback').set(bearer(token)).send(body)

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  member = await t.login('dy0001')
  secretary = await t.login('sj_bgs')
  outsider = await t.login('sj_dzxx')
})
afterAll(async () => {
  await t?.close()
})

describe('feedback', () => {
  it('a member submits; bad input is a 400 naming the field', async () => {
    const res = await submit(member, { category: '建议', content: '希望每周答题增加三线建设的题目' })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ id: expect.any(Number), status: 'submitted' })
    const bad = await submit(member, { category: '闲聊', content: '' })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toMatch(/category|content/)
  })

  it("staff see their subtree's items only; anonymous items never carry the name", async () => {
    const named = (await submit(member, { category: '投诉', content: '排行榜每天推送，感觉像考核' })).body
    const anonymous = (await submit(member, { category: '投诉', content: '匿名：支部要求每天截图学习积分', anonymous: true })).body
    const elsewhere = (await submit(await t.login('dy0050'), { category: '系统使用', content: '别的支部的意见' })).body
    const me = (await t.http().get('/api/me').set(bearer(member))).body

    const mine = (await t.http().get('/api/feedback').set(bearer(secretary))).body
    const ids = mine.items.map((i: any) => i.id)
    expect(ids).toContain(named.id)
    expect(ids).toContain(anonymous.id)
    expect(ids).not.toContain(elsewhere.id)
    expect(mine.items.find((i: any) => i.id === named.id)).toMatchObject({ name: me.name, orgId: me.orgId, status: 'submitted' })
    const anon = mine.items.find((i: any) => i.id === anonymous.id)
    expect(anon).not.toHaveProperty('name')
    expect(JSON.stringify(anon)).not.toContain(me.name)
    expect((await t.http().get(`/api/feedback/${anonymous.id}`).set(bearer(secretary))).body).not.toHaveProperty('name')

    // The other branch's secretary sees none of them and cannot open or answer them.
    const theirs = (await t.http().get('/api/feedback').set(bearer(outsider))).body.items.map((i: any) => i.id)
    expect(theirs).not.toContain(named.id)
    expect((await t.http().get(`/api/feedback/${named.id}`).set(bearer(outsider))).status).toBe(404)
    expect((await t.http().post(`/api/feedback/${named.id}/reply`).set(bearer(outsider)).send({ text: '越权答复' })).status).toBe(404)

    // Admins see everything.
    const all = (await t.http().get('/api/feedback?pageSize=100').set(bearer(admin))).body.items.map((i: any) => i.id)
    expect(all).toEqual(expect.arrayContaining([named.id, anonymous.id, elsewhere.id]))
  })

  it('members see only their own, with or without mine=true, and their own anonymous items with their name', async () => {
    const other = await t.login('dy0002')
    const hidden = (await submit(other, { category: '其他', content: '另一位党员的意见' })).body
    for (const url of ['/api/feedback', '/api/feedback?mine=true']) {
      const list = (await t.http().get(url).set(bearer(member))).body
      expect(list.items.every((i: any) => i.mine)).toBe(true)
      expect(list.items.map((i: any) => i.id)).not.toContain(hidden.id)
    }
    expect((await t.http().get(`/api/feedback/${hidden.id}`).set(bearer(member))).status).toBe(404)
    expect((await t.http().post(`/api/feedback/${hidden.id}/reply`).set(bearer(member)).send({ text: 'x' })).status).toBe(403)
  })

  it('moves submitted → answered → closed; nobody answers their own', async () => {
    const item = (await submit(member, { category: '学习内容', content: '视频能否加字幕' })).body
    const replied = await t
      .http()
      .post(`/api/feedback/${item.id}/reply`)
      .set(bearer(secretary))
      .send({ text: '已联系制作方，下周起视频配字幕。' })
    expect(replied.status).toBe(200)
    expect(replied.body).toMatchObject({ status: 'answered', reply: '已联系制作方，下周起视频配字幕。' })
    const seen = (await t.http().get(`/api/feedback/${item.id}`).set(bearer(member))).body
    expect(seen).toMatchObject({ status: 'answered', mine: true })
    expect((await t.http().post(`/api/feedback/${item.id}/close`).set(bearer(member))).body.status).toBe('closed')
    expect((await t.http().post(`/api/feedback/${item.id}/reply`).set(bearer(secretary)).send({ text: '再答复' })).status).toBe(409)

    const own = (await submit(secretary, { category: '建议', content: '书记自己的建议' })).body
    const self = await t.http().post(`/api/feedback/${own.id}/reply`).set(bearer(secretary)).send({ text: '自己答复自己' })
    expect(self.status).toBe(403)
    // Staff close only what has been answered.
    const open = (await submit(member, { category: '考试', content: '考试时间能否延长' })).body
    expect((await t.http().post(`/api/feedback/${open.id}/close`).set(bearer(secretary))).status).toBe(409)
    const log = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_type', '=', 'feedback')
      .where('target_id', '=', String(item.id))
      .orderBy('id')
      .execute()
    expect(log.map((l) => l.action)).toEqual(['feedback.reply', 'feedback.close'])
  })

  it('a reply racing the submitter’s close never re-opens the item', async () => {
    const item = (await submit(member, { category: '建议', content: '希望增加夜间模式' })).body
    // Straight to the services, so the reply reads the item before the close writes (over HTTP the
    // reply's sign-in check queues behind the close's transaction on PGlite's one connection).
    const [byMember, bySecretary] = await Promise.all([principalOf(t.db, 'dy0001'), principalOf(t.db, 'sj_bgs')])
    const [closed, replied] = await Promise.allSettled([
      closeFeedback(t.app.deps, byMember, item.id),
      replyFeedback(t.app.deps, bySecretary, item.id, '已记录，会考虑。'),
    ])
    expect(closed.status).toBe('fulfilled')
    const row = await t.db.selectFrom('feedback').select('status').where('id', '=', item.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('closed')
    const log = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_type', '=', 'feedback')
      .where('target_id', '=', String(item.id))
      .orderBy('id')
      .execute()
    // Which one commits first is up to the database. A reply that lost is refused and writes nothing;
    // one that won was written before the close, which still closes the item.
    if (replied.status === 'rejected') {
      expect((replied.reason as AppError).statusCode).toBe(409)
      expect(log).toEqual([{ action: 'feedback.close' }])
    } else {
      expect(log).toEqual([{ action: 'feedback.reply' }, { action: 'feedback.close' }])
    }
  })

  it('flags items waiting past the answer time, and summarises the month for admins', async () => {
    const item = (await submit(member, { category: '积分与排行', content: '积分规则说明不清楚' })).body
    await t.db
      .updateTable('feedback')
      .set({ created_at: new Date(Date.now() - 10 * 86_400_000) })
      .where('id', '=', item.id)
      .execute()
    const listed = (await t.http().get('/api/feedback?status=submitted&pageSize=100').set(bearer(secretary))).body.items
    expect(listed.find((i: any) => i.id === item.id).overdue).toBe(true)
    expect(listed.filter((i: any) => i.id !== item.id).every((i: any) => !i.overdue)).toBe(true)

    const summary = (await t.http().get('/api/feedback/summary').set(bearer(admin))).body
    const total = (
      await t.db
        .selectFrom('feedback')
        .select('id')
        .where('created_at', '>=', new Date(new Date().toISOString().slice(0, 8) + '01T00:00:00+08:00'))
        .execute()
    ).length
    expect(summary.submitted).toBeGreaterThanOrEqual(total - 1)
    expect(summary.answered + summary.closed + summary.open).toBe(summary.submitted)
    expect(summary.byCategory.reduce((s: number, c: any) => s + c.count, 0)).toBe(summary.submitted)
    expect((await t.http().get('/api/feedback/summary').set(bearer(secretary))).status).toBe(403)
    expect((await t.http().get('/api/feedback/summary?month=2026-13').set(bearer(admin))).status).toBe(400)
  })
})
