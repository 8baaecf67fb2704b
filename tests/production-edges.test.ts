// Issue 12, "Production edges": what a phone downloads, what survives a redeploy, what an integrator
// and a fresh clone get. Each block is one item of the issue, asserted on real HTTP headers and bodies.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../server/seed/demo.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ASSET = 'app-Ab12Cd34.js'
const ASSET_BODY = `export const hello = ${JSON.stringify('学测'.repeat(400))};\n`
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-Ab12Cd34.js"></script></head><body><div id="app"></div></body></html>'

/** A small built web app as `npm run build` leaves it: hashed assets with .br/.gz twins. */
function fakeDist(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-dist-'))
  fs.mkdirSync(path.join(dir, 'assets'))
  const put = (rel: string, body: string) => {
    fs.writeFileSync(path.join(dir, rel), body)
    fs.writeFileSync(path.join(dir, `${rel}.br`), zlib.brotliCompressSync(body))
    fs.writeFileSync(path.join(dir, `${rel}.gz`), zlib.gzipSync(body))
  }
  put('index.html', INDEX)
  put(`assets/${ASSET}`, ASSET_BODY)
  fs.writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("fetch", () => {})\n')
  return dir
}

/** A response body as bytes (supertest decodes gzip and br itself, so the body is the plain text). */
const raw = (r: any, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = []
  r.on('data', (c: Buffer) => chunks.push(c))
  r.on('end', () => cb(null, Buffer.concat(chunks)))
}
/** The exact bytes on the wire, undecoded (Fastify's inject does not decode). */
const wire = async (url: string, headers: Record<string, string>) => {
  const res = await t.app.inject({ method: 'GET', url, headers })
  return { status: res.statusCode, headers: res.headers, body: res.rawPayload }
}

let t: TestContext
let dist: string
let admin: string
const orgs: Record<string, any> = {}

beforeAll(async () => {
  dist = fakeDist()
  t = await createTestContext({ webDist: dist })
  admin = await t.login(DEMO_ADMIN.username)
  for (const o of (await t.http().get('/api/orgs').set(bearer(admin))).body) orgs[o.name] = o
})
afterAll(async () => {
  await t?.close()
  fs.rmSync(dist, { recursive: true, force: true })
})

describe('1. compression', () => {
  it('serves the precompressed build in the best encoding the client accepts', async () => {
    // supertest, as a browser: the headers, and the text once decoded.
    const viaHttp = await t.http().get(`/assets/${ASSET}`).set('accept-encoding', 'gzip, deflate, br').buffer(true).parse(raw)
    expect(viaHttp.status).toBe(200)
    expect(viaHttp.headers['content-encoding']).toBe('br')
    expect(viaHttp.headers['content-type']).toMatch(/javascript/)
    expect(viaHttp.headers.vary).toMatch(/accept-encoding/i)
    expect(viaHttp.body.toString()).toBe(ASSET_BODY)

    // On the wire: the precompressed file itself, much smaller than the script.
    const br = await wire(`/assets/${ASSET}`, { 'accept-encoding': 'gzip, deflate, br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.body.equals(fs.readFileSync(path.join(dist, 'assets', `${ASSET}.br`)))).toBe(true)
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(ASSET_BODY)
    expect(br.body.length).toBeLessThan(Buffer.byteLength(ASSET_BODY) / 4)

    const gz = await wire(`/assets/${ASSET}`, { 'accept-encoding': 'gzip' })
    expect(gz.headers['content-encoding']).toBe('gzip')
    expect(zlib.gunzipSync(gz.body).toString()).toBe(ASSET_BODY)

    const plain = await wire(`/assets/${ASSET}`, { 'accept-encoding': 'identity' })
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString()).toBe(ASSET_BODY)

    const index = await wire('/', { 'accept-encoding': 'br' })
    expect(index.headers['content-encoding']).toBe('br')
    expect(zlib.brotliDecompressSync(index.body).toString()).toBe(INDEX)
  })

  it('compresses API JSON above 1 KiB and leaves small answers alone', async () => {
    const big = await t.http().get('/api/orgs').set(bearer(admin)).set('accept-encoding', 'gzip, br')
    expect(big.status).toBe(200)
    expect(big.headers['content-encoding']).toBe('br')
    expect(big.body.length).toBeGreaterThan(10)
    const onWire = await t.app.inject({ method: 'GET', url: '/api/orgs', headers: { ...bearer(admin), 'accept-encoding': 'gzip, br' } })
    expect(JSON.parse(zlib.brotliDecompressSync(onWire.rawPayload).toString())).toEqual(big.body)
    expect(onWire.rawPayload.length).toBeLessThan(JSON.stringify(big.body).length / 2)
    const gz = await t.http().get('/api/orgs').set(bearer(admin)).set('accept-encoding', 'gzip')
    expect(gz.headers['content-encoding']).toBe('gzip')
    const small = await t.http().get('/api/health').set('accept-encoding', 'gzip, br')
    expect(small.headers['content-encoding']).toBeUndefined()
  })
})

describe('2. caching across redeploys', () => {
  it('index.html is revalidated on every load; hashed assets are kept a year', async () => {
    for (const url of ['/', '/index.html', '/exams/12/take', '/study']) {
      const res = await t.http().get(url)
      expect(res.status, url).toBe(200)
      expect(res.headers['cache-control'], url).toBe('no-cache')
      expect(res.headers['content-type'], url).toMatch(/text\/html/)
    }
    const asset = await t.http().get(`/assets/${ASSET}`)
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    // The service worker must be looked at on every visit, or a new build is never noticed.
    expect((await t.http().get('/sw.js')).headers['cache-control']).toBe('no-cache')
  })

  it('an asset that is not in this build is a 404, never the SPA page', async () => {
    for (const url of ['/assets/HomeView-OldHash1.js', '/assets/index-Zz99Yy88.css', '/assets/nothing']) {
      const res = await t.http().get(url)
      expect(res.status, url).toBe(404)
      expect(res.headers['content-type'], url).toMatch(/application\/json/)
      expect(res.text, url).not.toContain('<html')
    }
    // The compressed twins are chosen by Accept-Encoding, not fetched by name.
    expect((await t.http().get(`/assets/${ASSET}.br`)).status).toBe(404)
  })
})

describe('4. HTTP details', () => {
  it('a wrong method answers 405 with Allow; OPTIONS too', async () => {
    const post = await t.http().post('/api/health').send({})
    expect(post.status).toBe(405)
    expect(post.headers.allow).toBe('GET, HEAD')
    expect(post.body.error.code).toBe('METHOD_NOT_ALLOWED')
    const del = await t.http().delete('/api/orgs').set(bearer(admin))
    expect(del.status).toBe(405)
    expect(del.headers.allow).toBe('GET, HEAD, POST')
    const options = await t.http().options('/api/exams/1/attempts')
    expect(options.status).toBe(405)
    expect(options.headers.allow).toBe('POST')
    const asset = await t.http().put(`/assets/${ASSET}`).send('x')
    expect(asset.status).toBe(405)
    expect(asset.headers.allow).toBe('GET, HEAD')
    // Unknown paths stay 404 whatever the method.
    expect((await t.http().delete('/api/no-such-thing')).status).toBe(404)
    expect((await t.http().options('/api/no-such-thing')).status).toBe(404)
  })

  it('downloads carry an ASCII filename= beside filename*= (curl -OJ saves a real name)', async () => {
    const exam = await createExam()
    const cases: [string, RegExp, string][] = [
      ['/api/questions/template', /^questions-import-template\.xlsx$/, '题目导入模板.xlsx'],
      ['/api/users/import/template', /^users-import-template\.xlsx$/, '人员导入模板.xlsx'],
      ['/api/questions/export?format=json', /^questions-\d{8}\.json$/, '题库导出-'],
      [`/api/exams/${exam.id}/results?format=xlsx`, new RegExp(`^exam-${exam.id}-results\\.xlsx$`), '生产环境测试-成绩.xlsx'],
      [
        `/api/reports/participation?orgId=${orgs['厅机关党委'].id}&from=2026-11-01&to=2026-11-30&format=xlsx`,
        /^participation-org\d+-2026-11-01-2026-11-30\.xlsx$/,
        '参与情况统计-厅机关党委',
      ],
    ]
    for (const [url, ascii, utf8] of cases) {
      const res = await t.http().get(url).set(bearer(admin)).buffer(true).parse(raw)
      expect(res.status, url).toBe(200)
      const cd = res.headers['content-disposition'] as string
      const m = /^attachment; filename="([\x20-\x7e]+)"; filename\*=UTF-8''(.+)$/.exec(cd)
      expect(m, cd).not.toBeNull()
      expect(m![1], url).toMatch(ascii)
      expect(decodeURIComponent(m![2]), url).toContain(utf8)
    }
  })
})

const createExam = (overrides: Record<string, unknown> = {}) =>
  createOpenExam(t, admin, {
    title: '生产环境测试',
    audienceOrgIds: [orgs['厅机关党委'].id],
    closesAt: new Date(Date.now() + 3 * 3_600_000).toISOString(),
    passScore: 60,
    paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
    ...overrides,
  })

describe("5. bodyless POSTs and someone else's attempt", () => {
  it('starts an attempt with a bare POST: no body, no content-type', async () => {
    const exam = await createExam()
    const member = await t.login('dy0001')
    const res = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member))
    expect([200, 201], JSON.stringify(res.body)).toContain(res.status)
    expect(res.body.id ?? res.body.attemptId).toBeTruthy()
    // Reading it as another member: 404 (an attempt that is not yours does not exist for you).
    const other = await t.login('dy0002')
    const attemptId = res.body.id ?? res.body.attemptId
    const peek = await t.http().get(`/api/attempts/${attemptId}`).set(bearer(other))
    expect(peek.status).toBe(404)
    expect(peek.body.error.code).toBe('NOT_FOUND')
  })

  it('accepts a JSON content type with an empty body the same way, and still refuses broken JSON', async () => {
    const exam = await createExam()
    const member = await t.login('dy0004')
    const res = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).set('content-type', 'application/json').send('')
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    const broken = await t
      .http()
      .post(`/api/exams/${exam.id}/attempts`)
      .set(bearer(member))
      .set('content-type', 'application/json')
      .send('{"a":')
    expect(broken.status).toBe(400)
    // A required body stays required: an empty one is refused, naming the body.
    const login = await t.http().post('/api/auth/login').set('content-type', 'application/json').send('')
    expect(login.status).toBe(400)
  })

  it('every POST, PUT or PATCH whose body fields are all optional accepts no body at all', async () => {
    const optional = t.app.routeTable.filter((r) => {
      const methods = [r.method].flat().map(String)
      const body = r.schema?.body as { type?: string; required?: string[]; minProperties?: number } | undefined
      return (
        methods.some((m) => ['POST', 'PUT', 'PATCH'].includes(m)) &&
        body?.type === 'object' &&
        !body.required?.length &&
        !body.minProperties
      )
    })
    expect(optional.map((r) => r.url)).toContain('/api/exams/:id/attempts')
    const exam = await createExam()
    for (const r of optional) {
      const url = r.url.replace(/:[A-Za-z]+/g, String(exam.id))
      const method = [r.method]
        .flat()
        .map(String)
        .find((m) => ['POST', 'PUT', 'PATCH'].includes(m))!
        .toLowerCase() as 'post'
      const res = await t.http()[method](url).set(bearer(admin))
      const bodyError = res.status === 400 && /请求体|body/i.test(JSON.stringify(res.body))
      expect(bodyError, `${method.toUpperCase()} ${r.url} → ${res.status} ${JSON.stringify(res.body)}`).toBe(false)
      expect(res.status, `${method.toUpperCase()} ${r.url}`).toBeLessThan(500)
    }
  })
})

describe('6. exports a spreadsheet can compute with', () => {
  it('results: header in row 1, real dates in Shanghai time, numbers and empty cells; the title on 考试信息', async () => {
    const exam = await createExam({ title: '成绩导出测试' })
    const member = await t.login('dy0003')
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member))
    expect([200, 201]).toContain(start.status)
    const attemptId = start.body.id ?? start.body.attemptId
    const submitted = await t.http().post(`/api/attempts/${attemptId}/submit`).set(bearer(member))
    expect(submitted.status, JSON.stringify(submitted.body)).toBeLessThan(300)
    const json = (await t.http().get(`/api/exams/${exam.id}/results`).set(bearer(admin))).body as any[]
    const mine = json.find((r) => r.username === 'dy0003')

    const res = await t.http().get(`/api/exams/${exam.id}/results?format=xlsx`).set(bearer(admin)).buffer(true).parse(raw)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body as unknown as ExcelJS.Buffer)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['成绩', '题目分析', '考试信息'])
    const sheet = wb.worksheets[0]
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
      '用户名',
      '姓名',
      '组织',
      '状态',
      '得分',
      '是否及格',
      '开始时间',
      '交卷时间',
      '作答次数',
      '切屏次数',
      '设备切换',
      '刷新次数',
    ])
    expect(sheet.rowCount).toBe(1 + json.length)
    const row = sheet.getRows(2, sheet.rowCount - 1)!.find((r) => r.getCell(1).value === 'dy0003')!
    expect(row.getCell(5).value).toBe(mine.score)
    expect(typeof row.getCell(5).value).toBe('number')
    const started = row.getCell(7).value as Date
    expect(started).toBeInstanceOf(Date)
    expect(row.getCell(7).numFmt).toBe('yyyy-mm-dd hh:mm:ss')
    // The cell shows Shanghai wall-clock time: UTC + 8 h, to the second.
    expect(started.getTime()).toBe(new Date(mine.startedAt).getTime() + 8 * 3_600_000)
    // Someone who never started: empty cells, not ''.
    const idle = sheet
      .getRows(2, sheet.rowCount - 1)!
      .find((r) => json.find((j) => j.username === r.getCell(1).value)?.status === 'not_started')!
    expect(idle.getCell(5).value).toBeNull()
    expect(idle.getCell(7).value).toBeNull()
    expect(idle.getCell(8).value).toBeNull()
    const about = wb.getWorksheet('考试信息')!
    expect(about.getCell('B2').value).toBe('成绩导出测试')

    // Filtered to a unit the caller cannot see: no rows, and no analysis of anyone else either.
    const secretary = await t.login('sj_bgs')
    const other = (await t.http().get('/api/orgs').set(bearer(admin))).body.find((o: any) => o.name === '电子信息处党支部')
    const narrowed = await t
      .http()
      .get(`/api/exams/${exam.id}/results?format=xlsx&orgId=${other.id}`)
      .set(bearer(secretary))
      .buffer(true)
      .parse(raw)
    const wb2 = new ExcelJS.Workbook()
    await wb2.xlsx.load(narrowed.body as unknown as ExcelJS.Buffer)
    expect(wb2.worksheets[0].rowCount).toBe(1)
    expect(wb2.worksheets.map((w) => w.name)).toEqual(['成绩', '考试信息'])
  })
})

describe('7. a fresh clone has its test fixtures', () => {
  it('no test reads a file outside the repository', () => {
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? (e.name === '.artifacts' ? [] : walk(path.join(dir, e.name))) : [path.join(dir, e.name)]))
    const offenders = walk(path.join(ROOT, 'tests'))
      .filter((f) => /\.(ts|mjs|js)$/.test(f) && f !== fileURLToPath(import.meta.url))
      .filter((f) => /['"`]\.\.\/shared\//.test(fs.readFileSync(f, 'utf8')))
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([])
    expect(fs.existsSync(path.join(ROOT, 'tests/fixtures/moodle-questions.gift.txt'))).toBe(true)
    expect(fs.readFileSync(path.join(ROOT, 'tests/fixtures/README.md'), 'utf8')).toMatch(/moodle\/moodle.*questions\.gift\.txt.*GPL-3\.0/)
  })
})

describe('11. demo accounts only on the seeded demo', () => {
  it('health says demo while the admin keeps the demo password, and not after', async () => {
    expect((await t.http().get('/api/health')).body.demo).toBe(true)
    const { accessToken } = await t.tokens(DEMO_ADMIN.username)
    const change = await t
      .http()
      .post('/api/auth/password')
      .set(bearer(accessToken))
      .send({ currentPassword: DEMO_ADMIN.password, newPassword: 'Hongqi-Piaopiao-2027!' })
    expect(change.status, JSON.stringify(change.body)).toBe(204)
    expect((await t.http().get('/api/health')).body.demo).toBe(false)
    expect(DEMO_PASSWORD).toBe('Demo@2026') // members keep theirs; the admin's decides
  })
})
