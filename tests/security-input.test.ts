// Hostile input that is not a spreadsheet: NUL bytes (a 500 from PostgreSQL before), a truncated
// multipart body, HTML with script URLs, cover/video links that are not media, and the headers
// every response must carry.
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
beforeAll(async () => {
  t = await createTestContext({ listen: true })
  admin = await t.login(DEMO_ADMIN.username)
})
afterAll(async () => {
  await t?.close()
})

describe('NUL bytes are a 400 naming the field, never a 500', () => {
  it.each([
    ['login username', 'post', '/api/auth/login', { username: 'ad\u0000min', password: 'x' }, 'username'],
    ['login password', 'post', '/api/auth/login', { username: 'admin', password: 'x\u0000' }, 'password'],
    ['org name', 'post', '/api/orgs', { name: '支部\u0000', parentId: null, kind: 'branch' }, 'name'],
    ['question stem', 'post', '/api/questions', { type: 'judge', stem: '题\u0000干', answer: true, category: '测试' }, 'stem'],
    ['nested answer', 'post', '/api/questions', { type: 'fill', stem: '填空 ____', answer: [['a\u0000']], category: '测试' }, 'answer.0.0'],
  ] as const)('%s', async (_what, method, url, body, field) => {
    const res = await t.http()[method](url).set(bearer(admin)).send(body)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(res.body.error.details[0].field).toBe(field)
  })

  it('in the query string and the path', async () => {
    const q = await t.http().get('/api/questions?q=%00').set(bearer(admin))
    expect(q.status).toBe(400)
    const p = await t.http().get('/api/questions/1%00').set(bearer(admin))
    expect(p.status).toBeGreaterThanOrEqual(400)
    expect(p.status).toBeLessThan(500)
  })
})

describe('blank text is refused, naming the field (spaces alone trim to nothing)', () => {
  it('a blank reply does not mark a complaint answered; blank feedback and org names are refused', async () => {
    const member = await t.login('dy0004')
    const secretary = await t.login('sj_bgs')
    const item = await t.http().post('/api/feedback').set(bearer(member)).send({ category: '投诉', content: '考试系统卡顿' })
    expect(item.status).toBe(201)
    const reply = await t.http().post(`/api/feedback/${item.body.id}/reply`).set(bearer(secretary)).send({ text: '   ' })
    const stored = await t.db.selectFrom('feedback').select(['status', 'reply']).where('id', '=', item.body.id).executeTakeFirstOrThrow()
    expect({ status: reply.status, stored }).toEqual({ status: 400, stored: { status: 'submitted', reply: null } })
    expect(reply.body.error.details).toEqual([{ field: 'text', message: 'text 不能为空（只有空格也算空）' }])

    const feedback = await t.http().post('/api/feedback').set(bearer(member)).send({ category: '建议', content: ' \n\t\u3000' })
    expect(feedback.status).toBe(400)
    expect(feedback.body.error.details).toEqual([{ field: 'content', message: expect.stringContaining('不能为空') }])
    const orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
    const parentId = orgs.find((o: any) => o.name === '办公室党支部').id
    const org = await t.http().post('/api/orgs').set(bearer(admin)).send({ name: '   ', kind: 'branch', parentId })
    expect(org.status).toBe(400)
    expect(org.body.error.details).toEqual([{ field: 'name', message: expect.stringContaining('不能为空') }])
    // Empty text is said once, not once per rule it breaks.
    const empty = await t.http().post('/api/orgs').set(bearer(admin)).send({ name: '', kind: 'branch', parentId })
    expect(empty.body.error.details).toEqual([{ field: 'name', message: 'name 不能为空' }])
  })
})

describe('multipart', () => {
  it('a truncated upload is a 400, and the server stays up', async () => {
    const port = Number(new URL(t.baseUrl).port)
    const boundary = 'xuece-boundary'
    const part = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="q.csv"\r\nContent-Type: text/csv\r\n\r\n题型,题干\r\n判断题,半截`
    const status = await new Promise<number>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1')
      let data = ''
      socket.on('data', (c) => {
        data += c.toString('latin1')
      })
      socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)))
      socket.on('error', reject)
      socket.write(
        [
          'POST /api/questions/import?dryRun=true HTTP/1.1',
          'Host: 127.0.0.1',
          `Authorization: Bearer ${admin}`,
          `Content-Type: multipart/form-data; boundary=${boundary}`,
          `Content-Length: ${Buffer.byteLength(part) + 500}`,
          '',
          part,
        ].join('\r\n'),
      )
      // Claim 500 more bytes than sent, then stop sending: the body ends mid-part.
      setTimeout(() => socket.end(), 300)
    })
    expect(status === 400 || status === 0).toBe(true) // 400, or the half-closed socket is dropped before an answer
    expect((await t.http().get('/api/health')).status).toBe(200)
  })

  it('a multipart body whose closing boundary never comes is a 400', async () => {
    const res = await t
      .http()
      .post('/api/questions/import?dryRun=true')
      .set(bearer(admin))
      .set('Content-Type', 'multipart/form-data; boundary=abc')
      .send(
        '--abc\r\nContent-Disposition: form-data; name="file"; filename="q.json"\r\nContent-Type: application/json\r\n\r\n[{"type":"judge"',
      )
    expect(res.status).toBe(400)
  })
})

describe('materials: links and media', () => {
  it('the HTML sanitiser drops javascript: and data: URLs', async () => {
    const res = await t.http().post('/api/study/materials').set(bearer(admin)).send({
      channel: '党史',
      kind: 'article',
      title: '链接测试',
      bodyHtml:
        '<p><a href="javascript:alert(1)">点我</a><a href="data:text/html,<script>alert(1)</script>">看</a><img src="data:image/svg+xml,<svg onload=alert(1)>"><a href="https://www.gov.cn/">政府网</a><a href="/study">站内</a></p>',
    })
    expect(res.status).toBe(201)
    expect(res.body.bodyHtml).not.toMatch(/javascript:|data:/)
    expect(res.body.bodyHtml).toContain('href="https://www.gov.cn/"')
    expect(res.body.bodyHtml).toContain('href="/study"')
  })

  it.each([
    'javascript:alert(1)',
    'data:image/png;base64,AAAA',
    '/api/auth/logout',
    'http://example.com/a.png',
    '//evil.example/x.png',
    '/media/../../etc/passwd',
  ])('coverUrl %s is refused', async (coverUrl) => {
    const res = await t
      .http()
      .post('/api/study/materials')
      .set(bearer(admin))
      .send({ channel: '党史', kind: 'article', title: '封面', coverUrl })
    expect(res.status).toBe(400)
    expect(res.body.error.details[0].field).toBe('coverUrl')
  })

  it('covers and videos from our uploads or https are accepted', async () => {
    const res = await t
      .http()
      .post('/api/study/materials')
      .set(bearer(admin))
      .send({
        channel: '党史',
        kind: 'video',
        title: '视频',
        coverUrl: `/media/${'a'.repeat(32)}.jpg`,
        videoUrl: 'https://media.example.cn/v/1.mp4',
      })
    expect(res.status).toBe(201)
    const bad = await t
      .http()
      .post('/api/study/materials')
      .set(bearer(admin))
      .send({ channel: '党史', kind: 'video', title: '视频', videoUrl: `/media/${'a'.repeat(32)}.jpg` })
    expect(bad.status).toBe(400)
  })
})

describe('security headers', () => {
  it('every response carries CSP without inline scripts, no framing, nosniff and a referrer policy', async () => {
    for (const url of ['/api/health', '/api/orgs', '/some/spa/page']) {
      const res = await t.http().get(url).set(bearer(admin))
      const csp = String(res.headers['content-security-policy'])
      expect(csp).toMatch(/script-src 'self'(;|$)/)
      expect(csp).toMatch(/frame-ancestors 'none'/)
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/)
      expect(csp).not.toMatch(/upgrade-insecure-requests/) // plain-HTTP intranets must keep working
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['referrer-policy']).toBe('same-origin')
    }
  })
})
