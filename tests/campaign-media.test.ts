// Photos and attachments of campaign activities, pictures in 简报, and the one rich-text rule for
// materials and the ledger — through the public API, with the attacks: staff out of scope and
// members, files that are not what their names say, oversize files, hostile names, the per-activity
// cap under concurrent uploads, and HTML that tries to run or to call another server.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { Document, Packer, Paragraph } from 'docx'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { sanitizeRichText } from '../server/lib/rich-text.js'
import { MAX_FILES } from '../server/modules/campaign/media.js'
import { imageSize } from '../server/modules/campaign/report-photos.js'

let t: TestContext
let admin: string
let dataDir: string
const tok: Record<string, string> = {}
const org: Record<string, { id: number }> = {}
const PASSWORD = 'Harbor-Lamp-2026'
const HEX = 'a'.repeat(32)

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)])
const JPG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 1)])
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
const HTML = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>')

async function call(method: 'get' | 'post' | 'patch' | 'delete', url: string, token: string, body?: object) {
  const req = t.http()[method](url).set(bearer(token))
  return body === undefined ? req : req.send(body)
}
async function ok(method: 'get' | 'post' | 'patch' | 'delete', url: string, token: string, body?: object) {
  const res = await call(method, url, token, body)
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}
const upload = (url: string, token: string | null, data: Buffer, filename: string) => {
  const req = t.http().post(url)
  return (token ? req.set(bearer(token)) : req).attach('file', data, filename)
}
const binary = (res: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = []
  res.on('data', (d: Buffer) => chunks.push(d))
  res.on('end', () => cb(null, Buffer.concat(chunks)))
}
/** Every file under the data folder (uploads and attachments), so a test can see that nothing was written. */
const filesOnDisk = () =>
  ['uploads', 'attachments'].flatMap((d) => {
    const dir = path.join(dataDir, d)
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((n) => `${d}/${n}`) : []
  })
const rowsOf = async (activityId: number) =>
  (await t.db.selectFrom('activity_files').select('id').where('activity_id', '=', activityId).execute()).length

async function makeOrg(key: string, name: string, parentId: number) {
  org[key] = await ok('post', '/api/orgs', admin, { name, parentId, kind: 'branch' })
}
async function makeUser(key: string, orgKey: string, role: 'member' | 'secretary') {
  const created = await ok('post', '/api/users', admin, {
    username: `cm_${key}_${Date.now().toString(36)}`,
    name: `媒体${key}`,
    password: PASSWORD,
    orgId: org[orgKey].id,
    role,
  })
  tok[key] = await t.login(created.username, PASSWORD)
}
const newActivity = async (token: string, orgId: number, title = '主题党日') =>
  (await ok('post', '/api/activities', token, { orgId, type: 'theme_day', title, startsAt: new Date().toISOString() })).id as number

/** An Office file made by the real library, or a zip that only pretends. */
async function realDocx() {
  return Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('会议纪要')] }] }))
}
async function realXlsx() {
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('签到表').addRow(['姓名', '单位'])
  return Buffer.from(await wb.xlsx.writeBuffer())
}
async function zipOf(entries: Record<string, string>) {
  const zip = new JSZip()
  for (const [name, text] of Object.entries(entries)) zip.file(name, text)
  return zip.generateAsync({ type: 'nodebuffer' })
}

beforeAll(async () => {
  t = await createTestContext()
  dataDir = t.dataDir
  admin = await t.login(DEMO_ADMIN.username)
  const root = await t.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
  await makeOrg('R', '媒体测试党委', root.id)
  await makeOrg('A', '媒体测试一支部', org.R.id)
  await makeOrg('B', '媒体测试二支部', org.R.id)
  await makeUser('secA', 'A', 'secretary')
  await makeUser('secB', 'B', 'secretary')
  await makeUser('mA', 'A', 'member')
})
afterAll(async () => {
  await t?.close()
})

describe('activity photos', () => {
  let activityId: number

  it('a secretary uploads a photo to her activity; it is listed and served as an image', async () => {
    activityId = await newActivity(tok.secA, org.A.id)
    const res = await upload(`/api/activities/${activityId}/photos`, tok.secA, PNG, '现场照片.png')
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      id: expect.any(Number),
      url: expect.stringMatching(/^\/media\/[a-f0-9]{32}\.png$/),
      name: '现场照片.png',
    })
    const served = await t.http().get(res.body.url).buffer(true).parse(binary)
    expect(served.status).toBe(200)
    expect(served.headers['content-type']).toBe('image/png')
    expect(Buffer.compare(served.body, PNG)).toBe(0)
    const jpg = await upload(`/api/activities/${activityId}/photos`, tok.secA, JPG, 'b.JPEG')
    expect(jpg.status).toBe(201)
    expect(jpg.body.url).toMatch(/\.jpg$/)
    const list = await ok('get', `/api/activities/${activityId}/photos`, tok.secA)
    expect(list.map((p: { id: number }) => p.id)).toEqual([res.body.id, jpg.body.id])
    expect((await ok('get', `/api/activities/${activityId}/photos`, admin)).length).toBe(2)
  })

  it('staff outside the activity’s subtree and members get 403, strangers 401, and nothing is written', async () => {
    const before = filesOnDisk()
    const rows = await rowsOf(activityId)
    expect((await upload(`/api/activities/${activityId}/photos`, tok.secB, PNG, 'x.png')).status).toBe(403)
    expect((await upload(`/api/activities/${activityId}/photos`, tok.mA, PNG, 'x.png')).status).toBe(403)
    expect((await upload(`/api/activities/${activityId}/photos`, null, PNG, 'x.png')).status).toBe(401)
    expect((await upload('/api/activities/2147483000/photos', tok.secA, PNG, 'x.png')).status).toBe(404)
    expect((await call('get', `/api/activities/${activityId}/photos`, tok.secB)).status).toBe(403)
    expect((await call('get', `/api/activities/${activityId}/photos`, tok.mA)).status).toBe(403)
    expect(filesOnDisk()).toEqual(before)
    expect(await rowsOf(activityId)).toBe(rows)
  })

  it('refuses HTML named .jpg, an unknown type, an empty file and no file, writing nothing', async () => {
    const before = filesOnDisk()
    const html = await upload(`/api/activities/${activityId}/photos`, tok.secA, HTML, 'photo.jpg')
    expect(html.status).toBe(400)
    expect(html.body.error).toMatchObject({ code: 'VALIDATION', details: [{ field: 'file' }] })
    expect((await upload(`/api/activities/${activityId}/photos`, tok.secA, HTML, 'photo.html')).status).toBe(400)
    expect((await upload(`/api/activities/${activityId}/photos`, tok.secA, Buffer.from('<svg onload=alert(1)>'), 'p.svg')).status).toBe(400)
    expect((await upload(`/api/activities/${activityId}/photos`, tok.secA, PDF, 'p.png')).status).toBe(400)
    expect((await upload(`/api/activities/${activityId}/photos`, tok.secA, Buffer.alloc(0), 'p.png')).status).toBe(400)
    expect((await call('post', `/api/activities/${activityId}/photos`, tok.secA, { file: 'x' })).status).toBe(400)
    expect(filesOnDisk()).toEqual(before)
  })

  it('answers 413 for a photo over 5 MB, with nothing on disk and no row', async () => {
    const before = filesOnDisk()
    const rows = await rowsOf(activityId)
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)])
    const res = await upload(`/api/activities/${activityId}/photos`, tok.secA, big, 'big.png')
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(filesOnDisk()).toEqual(before)
    expect(await rowsOf(activityId)).toBe(rows)
  })

  it('a hostile file name is only a label: the file lands under a random name in the uploads folder', async () => {
    const outside = path.join(dataDir, 'evil.png')
    for (const name of ['../../evil.png', '..\\..\\evil.png', '/etc/passwd.png', 'a\r\nX-Evil: 1.png']) {
      const res = await upload(`/api/activities/${activityId}/photos`, tok.secA, PNG, name)
      expect(res.status).toBe(201)
      expect(res.body.url).toMatch(/^\/media\/[a-f0-9]{32}\.png$/)
      expect(res.body.name).not.toMatch(/[\\/\r\n]/)
      expect(fs.existsSync(path.join(dataDir, 'uploads', res.body.url.slice('/media/'.length)))).toBe(true)
    }
    expect(fs.existsSync(outside)).toBe(false)
    expect(fs.existsSync('/etc/passwd.png')).toBe(false)
  })

  it('holds at most the cap, also when uploads race for the last place', async () => {
    const id = await newActivity(tok.secA, org.A.id, '照片上限')
    // Fill all but one place directly (the rows only; the cap counts rows).
    await t.db
      .insertInto('activity_files')
      .values(
        Array.from({ length: MAX_FILES.photo - 1 }, (_, i) => ({
          activity_id: id,
          kind: 'photo' as const,
          stored_name: `${i.toString(16).padStart(32, 'c')}.png`,
          original_name: `p${i}.png`,
          content_type: 'image/png',
          bytes: 1,
        })),
      )
      .execute()
    const before = filesOnDisk().length
    const results = await Promise.all([1, 2, 3].map((i) => upload(`/api/activities/${id}/photos`, tok.secA, PNG, `last${i}.png`)))
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409])
    expect(await rowsOf(id)).toBe(MAX_FILES.photo)
    // The refused ones left nothing behind.
    expect(filesOnDisk().length).toBe(before + 1)
    const over = await upload(`/api/activities/${id}/photos`, tok.secA, PNG, 'more.png')
    expect(over.status).toBe(409)
    expect(over.body.error.message).toContain(`${MAX_FILES.photo}`)
  })

  it('deletes a photo (staff in scope only): the row and the file go', async () => {
    const { id, url } = (await upload(`/api/activities/${activityId}/photos`, tok.secA, PNG, 'gone.png')).body
    const file = path.join(dataDir, 'uploads', url.slice('/media/'.length))
    expect(fs.existsSync(file)).toBe(true)
    expect((await call('delete', `/api/activities/${activityId}/photos/${id}`, tok.secB)).status).toBe(403)
    expect((await call('delete', `/api/activities/${activityId}/photos/${id}`, tok.mA)).status).toBe(403)
    // Another activity's id in the path does not reach this photo.
    const other = await newActivity(tok.secA, org.A.id, '别的活动')
    expect((await call('delete', `/api/activities/${other}/photos/${id}`, tok.secA)).status).toBe(404)
    expect((await call('delete', `/api/activities/${activityId}/attachments/${id}`, tok.secA)).status).toBe(404)
    expect((await call('delete', `/api/activities/${activityId}/photos/${id}`, tok.secA)).status).toBe(204)
    expect(fs.existsSync(file)).toBe(false)
    expect((await t.http().get(url)).status).toBe(404)
    expect((await call('delete', `/api/activities/${activityId}/photos/${id}`, tok.secA)).status).toBe(404)
  })
})

describe('activity attachments', () => {
  let activityId: number

  it('takes pdf, docx, xlsx and pptx that are what they say, and serves them only as downloads to staff in scope', async () => {
    activityId = await newActivity(tok.secA, org.A.id, '附件活动')
    const pdf = await upload(`/api/activities/${activityId}/attachments`, tok.secA, PDF, '学习 资料;x=1.pdf')
    expect(pdf.status).toBe(201)
    expect(pdf.body).toMatchObject({ url: `/api/activities/${activityId}/attachments/${pdf.body.id}`, contentType: 'application/pdf' })
    expect((await upload(`/api/activities/${activityId}/attachments`, tok.secA, await realDocx(), '会议纪要.docx')).status).toBe(201)
    expect((await upload(`/api/activities/${activityId}/attachments`, tok.secA, await realXlsx(), '签到表.xlsx')).status).toBe(201)
    const pptx = await zipOf({ '[Content_Types].xml': '<Types/>', 'ppt/presentation.xml': '<p:presentation/>' })
    expect((await upload(`/api/activities/${activityId}/attachments`, tok.secA, pptx, '课件.pptx')).status).toBe(201)
    expect((await ok('get', `/api/activities/${activityId}/attachments`, tok.secA)).map((a: { name: string }) => a.name)).toEqual([
      '学习 资料;x=1.pdf',
      '会议纪要.docx',
      '签到表.xlsx',
      '课件.pptx',
    ])

    const got = await t.http().get(pdf.body.url).set(bearer(tok.secA)).buffer(true).parse(binary)
    expect(got.status).toBe(200)
    expect(Buffer.compare(got.body, PDF)).toBe(0)
    expect(got.headers['content-type']).toBe('application/pdf')
    expect(got.headers['x-content-type-options']).toBe('nosniff')
    expect(got.headers['content-security-policy']).toContain('sandbox')
    const disposition = String(got.headers['content-disposition'])
    expect(disposition).toMatch(/^attachment; filename="activity-\d+-attachment-\d+\.pdf"; filename\*=UTF-8''/)
    expect(decodeURIComponent(disposition.split("UTF-8''")[1])).toBe('学习 资料;x=1.pdf')
    expect((await call('get', pdf.body.url, admin)).status).toBe(200)
    expect((await call('get', pdf.body.url, tok.secB)).status).toBe(403)
    expect((await call('get', pdf.body.url, tok.mA)).status).toBe(403)
    expect((await t.http().get(pdf.body.url)).status).toBe(401)
    expect((await call('get', `/api/activities/${activityId}/attachments/2147483000`, tok.secA)).status).toBe(404)
    // Attachments are never under /media.
    const stored = await t.db.selectFrom('activity_files').select('stored_name').where('id', '=', pdf.body.id).executeTakeFirstOrThrow()
    expect((await t.http().get(`/media/${stored.stored_name}`)).status).toBe(404)
  })

  it('refuses HTML or scripts dressed as documents, zips that are not Office files, and macro files', async () => {
    const url = `/api/activities/${activityId}/attachments`
    const before = filesOnDisk()
    for (const [data, name] of [
      [HTML, 'notes.html'],
      [HTML, 'notes.pdf'],
      [HTML, 'notes.docx'],
      [Buffer.from('MZ\x90\x00'), 'setup.exe'],
      [PNG, 'photo.xlsx'],
      [await zipOf({ 'index.html': '<script>alert(1)</script>' }), 'fake.docx'],
      [await zipOf({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w/>' }), 'wrong.xlsx'],
      [await zipOf({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w/>', 'word/vbaProject.bin': 'x' }), 'macro.docx'],
    ] as [Buffer, string][]) {
      const res = await upload(url, tok.secA, data, name)
      expect(res.status, name).toBe(400)
      expect(res.body.error.details[0].field).toBe('file')
    }
    expect((await upload(url, tok.secB, PDF, 'x.pdf')).status).toBe(403)
    expect((await upload(url, tok.mA, PDF, 'x.pdf')).status).toBe(403)
    expect(filesOnDisk()).toEqual(before)
  })

  it('answers 413 for an attachment over 20 MB and keeps nothing', async () => {
    const before = filesOnDisk()
    const res = await upload(
      `/api/activities/${activityId}/attachments`,
      tok.secA,
      Buffer.concat([PDF, Buffer.alloc(20 * 1024 * 1024)]),
      'big.pdf',
    )
    expect(res.status).toBe(413)
    expect(filesOnDisk()).toEqual(before)
  })

  it('deletes an attachment for staff in scope; deleting the activity removes its files from disk', async () => {
    const list = await ok('get', `/api/activities/${activityId}/attachments`, tok.secA)
    expect((await call('delete', `/api/activities/${activityId}/attachments/${list[0].id}`, tok.secB)).status).toBe(403)
    expect((await call('delete', `/api/activities/${activityId}/attachments/${list[0].id}`, tok.secA)).status).toBe(204)
    expect((await call('get', list[0].url, tok.secA)).status).toBe(404)

    const photo = (await upload(`/api/activities/${activityId}/photos`, tok.secA, PNG, 'p.png')).body
    const names = (await t.db.selectFrom('activity_files').select('stored_name').where('activity_id', '=', activityId).execute()).map(
      (r) => r.stored_name,
    )
    expect(names.length).toBe(4)
    expect((await call('delete', `/api/activities/${activityId}`, tok.secA)).status).toBe(204)
    for (const n of names) expect(filesOnDisk().some((f) => f.endsWith(n))).toBe(false)
    expect((await t.http().get(photo.url)).status).toBe(404)
  })
})

describe('the 台账 counts photos and attachments', () => {
  it('has a photo and an attachment column per activity', async () => {
    const id = await newActivity(tok.secA, org.A.id, '台账照片计数')
    for (const n of [1, 2, 3]) await upload(`/api/activities/${id}/photos`, tok.secA, PNG, `${n}.png`)
    await upload(`/api/activities/${id}/attachments`, tok.secA, PDF, 'a.pdf')
    const res = await t.http().get(`/api/activities/ledger.xlsx?orgId=${org.A.id}`).set(bearer(tok.secA)).buffer(true).parse(binary)
    expect(res.status).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body as unknown as ArrayBuffer)
    const sheet = wb.getWorksheet('活动台账')!
    const header = sheet.getRow(2).values as unknown[]
    const photoCol = header.indexOf('照片（张）')
    const fileCol = header.indexOf('附件（个）')
    expect(photoCol).toBeGreaterThan(0)
    let row = 0
    sheet.eachRow((r, i) => {
      if (r.getCell(4).value === '台账照片计数') row = i
    })
    expect(sheet.getRow(row).getCell(photoCol).value).toBe(3)
    expect(sheet.getRow(row).getCell(fileCol).value).toBe(1)
  })
})

describe('photos in the Word report', () => {
  // A real 1×1 PNG, and the head of a JPEG whose frame (SOF0) says 200 × 100.
  const REAL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64')
  const JPEG_HEAD = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x64, 0x00, 0xc8, 0x03,
  ])

  it('reads picture sizes from their headers', () => {
    expect(imageSize(REAL_PNG, 'png')).toEqual({ width: 1, height: 1 })
    expect(imageSize(Buffer.concat([JPEG_HEAD, Buffer.alloc(16)]), 'jpg')).toEqual({ width: 200, height: 100 })
    expect(imageSize(Buffer.from([0xff, 0xd8, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]), 'jpg')).toBeNull()
  })

  it('puts one photo per activity in an appendix, with its caption', async () => {
    const B1 = await ok('post', '/api/orgs', admin, { name: '报告照片支部', parentId: org.B.id, kind: 'branch' })
    const id = await newActivity(admin, B1.id, '照片进报告主题党日')
    for (const n of [1, 2]) expect((await upload(`/api/activities/${id}/photos`, admin, REAL_PNG, `${n}.png`)).status).toBe(201)
    const res = await t.http().get(`/api/reports/campaign?orgId=${B1.id}&format=docx`).set(bearer(admin)).buffer(true).parse(binary)
    expect(res.status).toBe(200)
    const zip = await JSZip.loadAsync(res.body)
    const media = Object.keys(zip.files).filter((n) => n.startsWith('word/media/'))
    expect(media).toHaveLength(1)
    const text = (await zip.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '')
    expect(text).toContain('附：活动照片')
    expect(text).toContain('照片进报告主题党日')
    // Out of scope stays out of scope: another branch's secretary gets no report (and no photos).
    expect((await call('get', `/api/reports/campaign?orgId=${B1.id}&format=docx`, tok.secA)).status).toBe(403)
  })
})

describe('pictures in 简报', () => {
  it('staff upload a picture; a member cannot; a briefing keeps our picture and drops others; the 专栏 shows it', async () => {
    const img = await upload('/api/campaign/images', tok.secA, JPG, '活动现场.jpg')
    expect(img.status).toBe(201)
    expect(img.body.url).toMatch(/^\/media\/[a-f0-9]{32}\.jpg$/)
    expect((await upload('/api/campaign/images', tok.mA, JPG, 'x.jpg')).status).toBe(403)
    expect((await upload('/api/campaign/images', tok.secA, HTML, 'x.png')).status).toBe(400)
    expect((await upload('/api/campaign/images', tok.secA, Buffer.concat([JPG, Buffer.alloc(5 * 1024 * 1024)]), 'x.jpg')).status).toBe(413)

    const { id } = await ok('post', '/api/campaign/briefings', tok.secA, {
      orgId: org.A.id,
      title: '一支部简报（第1期）',
      bodyHtml: `<h2>主题党日</h2><p>支部开展活动。</p><img src="${img.body.url}" alt="现场"><img src="https://tracker.example/p.gif"><img src="${img.body.url}" onerror="alert(1)">`,
    })
    await ok('post', `/api/campaign/briefings/${id}/review`, admin, { action: 'publish' })
    const item = await ok('get', `/api/campaign/column/${id}`, tok.mA)
    expect(item.bodyHtml).toBe(
      `<h2>主题党日</h2><p>支部开展活动。</p><img src="${img.body.url}" alt="现场" /><img src="${img.body.url}" />`,
    )
    // A body of only a picture is content; a body of only a foreign picture is empty.
    expect(
      (await call('post', '/api/campaign/briefings', tok.secA, { orgId: org.A.id, title: '图', bodyHtml: `<img src="${img.body.url}">` }))
        .status,
    ).toBe(201)
    const empty = await call('post', '/api/campaign/briefings', tok.secA, {
      orgId: org.A.id,
      title: '图',
      bodyHtml: '<img src="https://x.example/a.png">',
    })
    expect(empty.status).toBe(400)
    expect(empty.body.error.details[0].field).toBe('bodyHtml')
  })
})

describe('one rich-text rule: exactly what the editor makes', () => {
  // What the tiptap editor of the console saves (headings, marks, lists, quote, rule, link, our picture).
  const EDITOR = [
    '<h2>第一部分</h2>',
    '<h3>学习要点</h3>',
    '<p><strong>加粗</strong><em>倾斜</em><u>下划线</u><s>删除线</s><br />换行</p>',
    '<ul><li><p>第一条</p></li><li><p>第二条</p></li></ul>',
    '<ol start="3"><li><p>第三条</p></li></ol>',
    '<blockquote><p>引文</p></blockquote>',
    '<hr />',
    '<p><a href="https://www.gov.cn/" target="_blank" rel="noopener noreferrer nofollow">政府网</a>',
    '<a href="/study" target="_blank" rel="noopener noreferrer nofollow">站内</a></p>',
    `<img src="/media/${HEX}.png" alt="图片" />`,
  ].join('')

  it('keeps the editor’s own HTML as it is', () => {
    expect(sanitizeRichText(EDITOR)).toBe(EDITOR)
  })

  it.each([
    ['<p>x</p><script>alert(1)</script>', '<p>x</p>'],
    ['<ul><li><p>a</p></li></ul><p></p>', '<ul><li><p>a</p></li></ul>'],
    [`<p>x<img src="/media/${HEX}.png" onerror="alert(1)"></p>`, `<p>x<img src="/media/${HEX}.png" /></p>`],
    ['<p><a href="javascript:alert(1)">a</a><a href=" JaVaScRiPt:alert(1)">b</a></p>', '<p>ab</p>'],
    ['<p><a href="data:text/html,<script>alert(1)</script>">c</a></p>', '<p>c</p>'],
    ['<p><a href="//evil.example/x">d</a><a href="/\\evil.example">e</a></p>', '<p>de</p>'],
    [
      '<p>f</p><img src="data:image/png;base64,AAAA"><img src="https://evil.example/a.png"><img src="/media/../jwt-secret.png">',
      '<p>f</p>',
    ],
    [`<img src="//evil.example/media/${HEX}.png"><img src="/media/${HEX}.png?track=1"><img src="/media/${HEX}.svg">`, ''],
    ['<p style="background:url(javascript:x)" class="c" onclick="x()">g</p>', '<p>g</p>'],
    ['<iframe src="https://evil.example"></iframe><object data="x"></object><style>p{}</style><form><input></form>h', 'h'],
    ['<svg><script>alert(1)</script></svg><math><mi>i</mi></math>', 'i'],
    [
      '<b>j</b><i>k</i><h1>l</h1><h4>m</h4><span>n</span><ol start="x" type="disc"><li>o</li></ol>',
      '<strong>j</strong><em>k</em><h2>l</h2><h3>m</h3>n<ol><li>o</li></ol>',
    ],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeRichText(input)).toBe(expected)
  })

  it('applies to study materials through the API', async () => {
    const res = await call('post', '/api/study/materials', admin, {
      channel: '党史',
      kind: 'article',
      title: '富文本规则',
      bodyHtml: `${EDITOR}<script>alert(1)</script><img src="https://evil.example/t.png"><p onmouseover="x()"><a href="javascript:alert(1)">链接</a></p>`,
    })
    expect(res.status).toBe(201)
    expect(res.body.bodyHtml).toBe(`${EDITOR}<p>链接</p>`)
  })

  it('leaves study media uploads as they were (one upload implementation)', async () => {
    const cover = await upload('/api/study/media', admin, PNG, 'cover.png')
    expect(cover.status).toBe(201)
    expect(cover.body).toMatchObject({ url: expect.stringMatching(/^\/media\/[a-f0-9]{32}\.png$/), contentType: 'image/png' })
    const fake = await upload('/api/study/media', admin, Buffer.from('not a video at all, only text'), 'v.mp4')
    expect(fake.status).toBe(400)
    expect(fake.body.error.message).toContain('MP4')
    expect((await upload('/api/study/media', tok.secA, PNG, 'cover.png')).status).toBe(403)
  })
})
