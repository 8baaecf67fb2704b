// 发表观点: members comment on published materials and 专栏 items; staff whose subtree holds the
// commenter's org moderate; approval shows the comment (names masked unless she consented) and
// earns the 发表观点 points once per comment within the day's cap; rejection shows her the reason.
// Sensitive words (spaced, punctuated, full-width variants too), an hourly limit, length, HTML.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { findSensitive, matchForm, plainText } from '../server/modules/comments/text.js'

// 10:00 in Beijing on a day no demo data earned points on.
const clock = new ManualClock(new Date('2026-12-10T02:00:00Z'))
let t: TestContext
let admin: string
let sec: string // sj_bgs, 办公室党支部
let outsider: string // sj_dzxx, 电子信息处党支部
let branch: { id: number; name: string }
let otherBranch: { id: number; name: string }
let material: { id: number; title: string; channel: string }
let seq = 0

const PASSWORD = 'Harbor-Lamp-2026'
async function newMember(orgId = branch.id, name = '张明远') {
  const username = `cm${Date.now().toString(36)}${seq++}`
  const res = await t.http().post('/api/users').set(bearer(admin)).send({ username, name, password: PASSWORD, orgId, role: 'member' })
  expect(res.status).toBe(201)
  const token = (await t.tokens(username, PASSWORD)).accessToken
  return { id: res.body.id as number, username, name, token }
}
const post = (token: string, body: Record<string, unknown>) => t.http().post('/api/comments').set(bearer(token)).send(body)
const onMaterial = (token: string, content: string) => post(token, { targetType: 'material', targetId: material.id, content })
const list = async (token: string, targetType = 'material', targetId = material.id) => {
  const res = await t.http().get(`/api/comments?targetType=${targetType}&targetId=${targetId}`).set(bearer(token))
  expect(res.status).toBe(200)
  return res.body.items as any[]
}
const approve = (token: string, id: number) => t.http().post(`/api/comments/${id}/approve`).set(bearer(token))
const reject = (token: string, id: number, reason?: string) =>
  t
    .http()
    .post(`/api/comments/${id}/reject`)
    .set(bearer(token))
    .send(reason === undefined ? {} : { reason })
const opinionLedger = (userId: number) =>
  t.db
    .selectFrom('point_ledger')
    .select(['points', 'idem_key', 'day'])
    .where('user_id', '=', userId)
    .where('rule_code', '=', 'opinion')
    .execute()
const notificationsOf = (userId: number) =>
  t.db.selectFrom('notifications').selectAll().where('user_id', '=', userId).where('kind', '=', 'comment_moderated').orderBy('id').execute()

beforeAll(async () => {
  t = await createTestContext({ clock })
  admin = await t.login(DEMO_ADMIN.username)
  sec = await t.login('sj_bgs')
  outsider = await t.login('sj_dzxx')
  const orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body as { id: number; name: string }[]
  branch = orgs.find((o) => o.name === '办公室党支部')!
  otherBranch = orgs.find((o) => o.name === '电子信息处党支部')!
  material = (await t.http().get('/api/study/materials?pageSize=1').set(bearer(admin))).body.items[0]
  await t.http().put('/api/comments/sensitive-words').set(bearer(admin)).send({ words: [] })
})
afterAll(async () => {
  await t?.close()
})

describe('moderation flow', () => {
  it('a comment waits for moderation; only its author sees it until approved', async () => {
    const author = await newMember()
    const reader = await newMember()
    const res = await onMaterial(author.token, '学习了这篇文章，体会到三线精神的可贵。')
    expect(res.status).toBe(201)
    expect(res.body).toEqual({ id: expect.any(Number), status: 'pending' })
    const mine = (await list(author.token)).find((c) => c.id === res.body.id)
    expect(mine).toMatchObject({ status: 'pending', mine: true, name: author.name, orgName: branch.name, reason: null })
    expect((await list(reader.token)).map((c) => c.id)).not.toContain(res.body.id)
    expect(await opinionLedger(author.id)).toEqual([])

    // In her secretary's queue and the admin's, oldest first; not in another branch's.
    const queue = (await t.http().get('/api/comments/moderation?status=pending&pageSize=500').set(bearer(sec))).body
    const item = queue.items.find((c: any) => c.id === res.body.id)
    expect(item).toMatchObject({
      name: author.name,
      userId: author.id,
      targetTitle: material.title,
      targetLink: `/study/materials/${material.id}`,
    })
    const times = queue.items.map((c: any) => c.createdAt)
    expect(times).toEqual([...times].sort())
    expect((await t.http().get('/api/comments/moderation?pageSize=500').set(bearer(admin))).body.items.map((c: any) => c.id)).toContain(
      res.body.id,
    )
    const theirs = (await t.http().get('/api/comments/moderation?pageSize=500').set(bearer(outsider))).body.items
    expect(theirs.map((c: any) => c.id)).not.toContain(res.body.id)
  })

  it('approval shows it to everyone with the name masked, earns the 发表观点 point once, and notifies the author', async () => {
    const author = await newMember(branch.id, '欧阳明')
    const reader = await newMember()
    const { id } = (await onMaterial(author.token, '工业强省，要从每一项具体工作做起。')).body
    const res = await approve(sec, id)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id, status: 'approved', pointsAwarded: 1, moderatorName: expect.any(String), name: '欧阳明' })

    // Others see it masked with the unit; she sees her own name.
    expect((await list(reader.token)).find((c) => c.id === id)).toMatchObject({
      status: 'approved',
      name: '欧*',
      orgName: branch.name,
      mine: false,
    })
    expect((await list(author.token)).find((c) => c.id === id)).toMatchObject({ name: '欧阳明', mine: true })
    // With her consent to show her name, readers see it.
    expect((await t.http().put('/api/me/privacy').set(bearer(author.token)).send({ showOnLeaderboards: true })).status).toBe(200)
    expect((await list(reader.token)).find((c) => c.id === id)).toMatchObject({ name: '欧阳明' })

    expect(await opinionLedger(author.id)).toEqual([{ points: 1, idem_key: `comment:${id}`, day: expect.anything() }])
    const me = (await t.http().get('/api/points/me').set(bearer(author.token))).body
    expect(me.rules.find((r: any) => r.rule === 'opinion')).toMatchObject({ earnedToday: 1, dailyCap: 1 })
    expect(me.today).toBeGreaterThanOrEqual(1)

    // Deciding again is a conflict and earns nothing more.
    expect((await approve(admin, id)).status).toBe(409)
    expect((await reject(admin, id, '重复')).status).toBe(409)
    expect(await opinionLedger(author.id)).toHaveLength(1)

    const notes = await notificationsOf(author.id)
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ title: '您发表的观点已通过审核', link: `/study/materials/${material.id}` })
    expect(notes[0].body).toContain('1 积分')
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_type', '=', 'comment')
      .where('target_id', '=', String(id))
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['comment.approve'])
  })

  it("the day's cap holds: a second approved comment shows but earns nothing that day", async () => {
    const author = await newMember()
    const first = (await onMaterial(author.token, '第一条观点')).body.id
    const second = (await onMaterial(author.token, '第二条观点')).body.id
    expect((await approve(sec, first)).body.pointsAwarded).toBe(1)
    expect((await approve(admin, second)).body).toMatchObject({ status: 'approved', pointsAwarded: 0 })
    const ledger = await opinionLedger(author.id)
    expect(ledger.map((l) => [l.idem_key, l.points]).sort()).toEqual([
      [`comment:${first}`, 1],
      [`comment:${second}`, 0],
    ])
    const notes = await notificationsOf(author.id)
    expect(notes.map((n) => n.body.includes('积分'))).toEqual([true, false])
  })

  it('two moderators deciding one comment at once: one wins, one ledger row', async () => {
    const author = await newMember()
    const { id } = (await onMaterial(author.token, '并发审核的观点')).body
    const results = await Promise.all([approve(sec, id), approve(admin, id), reject(admin, id, '并发')])
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409])
    const row = await t.db.selectFrom('comments').select('status').where('id', '=', id).executeTakeFirstOrThrow()
    const winner = results.find((r) => r.status === 200)!.body
    expect(row.status).toBe(winner.status)
    expect((await opinionLedger(author.id)).length).toBe(winner.status === 'approved' ? 1 : 0)
    expect(await notificationsOf(author.id)).toHaveLength(1)
  })

  it('rejection needs a reason, earns nothing, and only the author (and staff) see it with the reason', async () => {
    const author = await newMember()
    const reader = await newMember()
    const { id } = (await onMaterial(author.token, '与文章无关的广告内容')).body
    const missing = await reject(sec, id)
    expect(missing.status).toBe(400)
    expect(JSON.stringify(missing.body)).toContain('reason')
    expect((await reject(sec, id, '   ')).status).toBe(400)
    const res = await reject(sec, id, '与学习内容无关')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ status: 'rejected', reason: '与学习内容无关' })
    expect((await list(author.token)).find((c) => c.id === id)).toMatchObject({ status: 'rejected', reason: '与学习内容无关' })
    expect((await list(reader.token)).map((c) => c.id)).not.toContain(id)
    expect(await opinionLedger(author.id)).toEqual([])
    const [note] = await notificationsOf(author.id)
    expect(note).toMatchObject({ title: '您发表的观点未通过审核' })
    expect(note.body).toContain('原因：与学习内容无关')
    const rejected = (await t.http().get('/api/comments/moderation?status=rejected&pageSize=500').set(bearer(sec))).body.items
    expect(rejected.map((c: any) => c.id)).toContain(id)
  })
})

describe('scope attacks', () => {
  it('a secretary cannot see or decide a comment from outside her subtree; a member cannot moderate; nobody moderates her own', async () => {
    const stranger = await newMember(otherBranch.id)
    const { id } = (await onMaterial(stranger.token, '电子信息处党员的观点')).body
    expect((await approve(sec, id)).status).toBe(404)
    expect((await reject(sec, id, '越权')).status).toBe(404)
    const member = await newMember()
    expect((await approve(member.token, id)).status).toBe(403)
    expect((await reject(member.token, id, '越权')).status).toBe(403)
    expect((await t.http().get('/api/comments/moderation').set(bearer(member.token))).status).toBe(403)
    expect((await t.db.selectFrom('comments').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('pending')
    // Her own secretary's branch can; the other branch's secretary decides it.
    expect((await approve(outsider, id)).status).toBe(200)

    // A secretary's own comment waits for someone else.
    const own = (await onMaterial(sec, '书记本人的观点')).body.id
    const self = await approve(sec, own)
    expect(self.status).toBe(403)
    expect(self.body.error.code).toBe('SELF_SERVICE_FORBIDDEN')
    expect((await approve(admin, own)).status).toBe(200)
    expect((await approve(admin, 987654)).status).toBe(404)
  })

  it('nobody comments on, or reads the comments of, what they cannot see', async () => {
    const member = await newMember()
    const draft = await t
      .http()
      .post('/api/study/materials')
      .set(bearer(admin))
      .send({ channel: material.channel, kind: 'article', title: '未发布的资料', bodyHtml: '<p>草稿</p>', status: 'draft' })
    expect(draft.status).toBe(201)
    for (const body of [
      { targetType: 'material', targetId: draft.body.id, content: '草稿下的观点' },
      { targetType: 'material', targetId: 2147483000, content: '不存在' },
      { targetType: 'column', targetId: 2147483000, content: '不存在' },
    ]) {
      const res = await post(member.token, body)
      expect(res.status).toBe(404)
    }
    expect((await t.http().get(`/api/comments?targetType=material&targetId=${draft.body.id}`).set(bearer(member.token))).status).toBe(404)
    expect((await post(member.token, { targetType: 'exam', targetId: 1, content: 'x' })).status).toBe(400)
    expect((await post(member.token, { targetType: 'material', targetId: 'abc', content: 'x' })).status).toBe(400)
    expect(await t.db.selectFrom('comments').select('id').where('user_id', '=', member.id).execute()).toEqual([])
  })

  it('专栏 items: comments on a published briefing; none on one still under review', async () => {
    const child = (
      await t
        .http()
        .post('/api/orgs')
        .set(bearer(admin))
        .send({ name: `观点测试小组${seq++}`, parentId: branch.id, kind: 'branch' })
    ).body
    const briefing = async (title: string) =>
      (await t.http().post('/api/campaign/briefings').set(bearer(sec)).send({ orgId: child.id, title, bodyHtml: '<p>简报正文</p>' })).body
    const published = await briefing('主题党日简报')
    expect(
      (await t.http().post(`/api/campaign/briefings/${published.id}/review`).set(bearer(admin)).send({ action: 'publish' })).status,
    ).toBe(200)
    const waiting = await briefing('待审简报')

    const member = await newMember()
    const res = await post(member.token, { targetType: 'column', targetId: published.id, content: '简报写得很实在' })
    expect(res.status).toBe(201)
    expect((await post(member.token, { targetType: 'column', targetId: waiting.id, content: '抢先评论' })).status).toBe(404)
    const item = await approve(sec, res.body.id)
    expect(item.body).toMatchObject({ targetTitle: '主题党日简报', targetLink: `/campaign/column?tab=column&id=${published.id}` })
    expect((await list(member.token, 'column', published.id)).map((c) => c.id)).toEqual([res.body.id])
    // The same id as a material is another target.
    expect((await list(member.token)).map((c) => c.id)).not.toContain(res.body.id)
  })
})

describe('sensitive words', () => {
  it('only admins read and replace the list; blank or punctuation-only words are refused naming the index', async () => {
    const member = await newMember()
    for (const token of [member.token, sec]) {
      expect((await t.http().get('/api/comments/sensitive-words').set(bearer(token))).status).toBe(403)
      expect(
        (
          await t
            .http()
            .put('/api/comments/sensitive-words')
            .set(bearer(token))
            .send({ words: ['x'] })
        ).status,
      ).toBe(403)
    }
    const bad = await t
      .http()
      .put('/api/comments/sensitive-words')
      .set(bearer(admin))
      .send({ words: ['法轮', '，。！'] })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('words/1')
    // Duplicates by matching form collapse; surrounding spaces go.
    const res = await t
      .http()
      .put('/api/comments/sensitive-words')
      .set(bearer(admin))
      .send({ words: [' 法轮 ', '法 轮', 'ＡＢＣ赌博', '代开发票'] })
    expect(res.status).toBe(200)
    expect(res.body.words.sort()).toEqual(['ABC赌博', '代开发票', '法轮'].sort())
    expect((await t.http().get('/api/comments/sensitive-words').set(bearer(admin))).body.words.sort()).toEqual(res.body.words.sort())
  })

  it('refuses a comment with a listed word, spaced, punctuated, full-width or hidden, naming the word; stores nothing', async () => {
    await t
      .http()
      .put('/api/comments/sensitive-words')
      .set(bearer(admin))
      .send({ words: ['法轮', 'abc赌博', '代开发票'] })
    const member = await newMember()
    const cases: [string, string][] = [
      ['宣扬法轮的内容', '法轮'],
      ['法 轮', '法轮'],
      ['法。轮', '法轮'],
      ['法\u200b轮', '法轮'],
      ['法\n\t轮', '法轮'],
      ['<b>法</b>轮', '法轮'],
      ['ＡＢＣ 赌 博', 'abc赌博'],
      ['A.b.C-赌/博', 'abc赌博'],
      ['可以代-开-发-票', '代开发票'],
    ]
    for (const [content, word] of cases) {
      const res = await onMaterial(member.token, content)
      expect(res.status, content).toBe(422)
      expect(res.body.error.message).toContain(`“${word}”`)
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'content', word })])
    }
    expect(await t.db.selectFrom('comments').select('id').where('user_id', '=', member.id).execute()).toEqual([])
    // Words that merely share characters pass.
    expect((await onMaterial(member.token, '依法治国，轮流值班')).status).toBe(201)
    await t.http().put('/api/comments/sensitive-words').set(bearer(admin)).send({ words: [] })
  })

  it('matches after NFKC with spaces and punctuation removed (unit)', () => {
    expect(matchForm('Ｆａ Lun，功！')).toBe('falun功')
    expect(findSensitive('法 轮 功', ['法轮功'])).toBe('法轮功')
    expect(findSensitive('法\u3000轮', ['法轮'])).toBe('法轮')
    expect(findSensitive('法律', ['法轮'])).toBeNull()
    expect(findSensitive('anything', ['，'])).toBeNull()
  })
})

describe('limits', () => {
  it('at most 10 comments an hour per person (429), even when sent at once; the hour rolls on', async () => {
    const member = await newMember()
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => onMaterial(member.token, `并发观点 ${i}`)))
    expect(results.filter((r) => r.status === 201)).toHaveLength(10)
    const refused = results.filter((r) => r.status === 429)
    expect(refused).toHaveLength(2)
    expect(refused[0].body.error.code).toBe('RATE_LIMITED')
    expect(refused[0].body.error.details.retryAfterSeconds).toBeGreaterThan(0)
    expect(await t.db.selectFrom('comments').select('id').where('user_id', '=', member.id).execute()).toHaveLength(10)
    // Someone else is not limited by her.
    expect((await onMaterial((await newMember()).token, '另一人的观点')).status).toBe(201)
    // An hour later she may comment again.
    await t.db
      .updateTable('comments')
      .set({ created_at: new Date(clock.now().getTime() - 61 * 60_000) })
      .where('user_id', '=', member.id)
      .execute()
    expect((await onMaterial(member.token, '一小时后的观点')).status).toBe(201)
  })

  it('at most 500 characters; empty after stripping is refused; HTML is stripped to plain text', async () => {
    const member = await newMember()
    expect((await onMaterial(member.token, '党'.repeat(500))).status).toBe(201)
    const long = await onMaterial(member.token, '党'.repeat(501))
    expect(long.status).toBe(400)
    expect(JSON.stringify(long.body)).toContain('content')
    for (const empty of ['', '   ', '<p></p>', '<script>alert(1)</script>']) {
      const res = await onMaterial(member.token, empty)
      expect(res.status, empty).toBe(400)
      expect(JSON.stringify(res.body)).toContain('content')
    }
    const html = await onMaterial(
      member.token,
      '<b>好文章</b><script>alert(1)</script><img src=x onerror=alert(1)> &lt;i&gt; &amp; 1 < 2 > 0',
    )
    expect(html.status).toBe(201)
    const row = await t.db.selectFrom('comments').select('content').where('id', '=', html.body.id).executeTakeFirstOrThrow()
    expect(row.content).not.toMatch(/[<>]/)
    expect(row.content).not.toContain('script')
    expect(row.content).not.toContain('onerror')
    expect(row.content.startsWith('好文章')).toBe(true)
    expect(row.content).toContain('＜i＞ & 1 ＜ 2 ＞ 0')
    expect(await t.db.selectFrom('comments').select('id').where('user_id', '=', member.id).execute()).toHaveLength(2)
  })

  it('plain text keeps line breaks and collapses runs of blank lines (unit)', () => {
    expect(plainText('第一段\r\n\r\n\r\n\r\n第二段  \n第三段')).toBe('第一段\n\n第二段\n第三段')
    expect(plainText('a\u0000b\u0007c')).toBe('abc')
    expect(plainText('<a href="javascript:alert(1)">链接</a>')).toBe('链接')
  })
})

describe('the next day', () => {
  it('an approval on a new day earns again', async () => {
    const author = await newMember()
    const a = (await onMaterial(author.token, '今天的观点')).body.id
    const b = (await onMaterial(author.token, '明天才审的观点')).body.id
    expect((await approve(sec, a)).body.pointsAwarded).toBe(1)
    clock.advance(24 * 3_600_000)
    const admin2 = (await t.tokens(DEMO_ADMIN.username)).accessToken
    expect((await approve(admin2, b)).body.pointsAwarded).toBe(1)
    expect((await opinionLedger(author.id)).map((l) => l.points)).toEqual([1, 1])
  })
})

describe('deletion of an account', () => {
  it('takes her comments with it', async () => {
    const author = await newMember()
    const { id } = (await onMaterial(author.token, '注销前发表的观点')).body
    expect((await approve(sec, id)).status).toBe(200)
    const request = await t.http().post('/api/me/deletion-request').set(bearer(author.token)).send({})
    expect(request.status).toBeLessThan(300)
    const decided = await t
      .http()
      .post(`/api/privacy/deletion-requests/${request.body.id}/decide`)
      .set(bearer(admin))
      .send({ approve: true })
    expect(decided.status).toBe(200)
    expect(await t.db.selectFrom('comments').select('id').where('user_id', '=', author.id).execute()).toEqual([])
    expect((await list(sec)).map((c) => c.id)).not.toContain(id)
  })
})
