import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { csv, xlsx } from './helpers/sheets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { BANK_DIR, syncBank } from '../server/modules/questions/bank-sync.js'
import { loadBankDir } from '../server/modules/questions/formats/bank.js'

let t: TestContext
let admin: string
let secretary: string
let member: string

const COLUMNS = ['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '答案', '解析', '难度', '分类', '标签', '出处']
// In the repository (tests/fixtures/README.md says where it comes from): no file outside the clone.
const GIFT_FIXTURE = path.resolve(process.cwd(), 'tests/fixtures/moodle-questions.gift.txt')

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  secretary = await t.login('sj_bgs')
  member = await t.login('dy0001')
})
afterAll(async () => {
  await t?.close()
})

const api = {
  get: (url: string, token = admin) => t.http().get(url).set(bearer(token)),
  post: (url: string, body: unknown, token = admin) =>
    t
      .http()
      .post(url)
      .set(bearer(token))
      .send(body as object),
  put: (url: string, body: unknown, token = admin) =>
    t
      .http()
      .put(url)
      .set(bearer(token))
      .send(body as object),
  del: (url: string, token = admin) => t.http().delete(url).set(bearer(token)),
}
const upload = (file: Buffer, name: string, query = '', token = admin) =>
  t.http().post(`/api/questions/import${query}`).set(bearer(token)).attach('file', file, name)
/** A binary download as a Buffer (supertest only buffers text by default). */
const download = (url: string) =>
  t
    .http()
    .get(url)
    .set(bearer(admin))
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => cb(null, Buffer.concat(chunks)))
    })
const total = async (query = '') => (await api.get(`/api/questions?pageSize=1${query}`)).body.total as number
const list = async (query: string) => (await api.get(`/api/questions?pageSize=500&${query}`)).body

const single = (stem: string, extra: Record<string, unknown> = {}) => ({
  type: 'single',
  stem,
  category: '测试/接口',
  difficulty: 2,
  explanation: '测试解析',
  source: '测试出处',
  options: [
    { key: 'A', text: '甲' },
    { key: 'B', text: '乙' },
    { key: 'C', text: '丙' },
  ],
  answer: 'B',
  ...extra,
})

describe('scope: only admins author the bank', () => {
  it('secretaries and members get 403 on every authoring route; no token is 401', async () => {
    for (const token of [secretary, member]) {
      expect((await api.get('/api/questions', token)).status).toBe(403)
      expect((await api.post('/api/questions', single('越权新建的题目？'), token)).status).toBe(403)
      expect((await api.get('/api/questions/export?format=json', token)).status).toBe(403)
      expect((await api.get('/api/questions/template', token)).status).toBe(403)
      expect((await upload(csv(COLUMNS, []), 'q.csv', '?dryRun=true', token)).status).toBe(403)
      expect((await api.post('/api/questions/bulk', { ids: [1], action: 'retire' }, token)).status).toBe(403)
      expect((await api.post('/api/questions/categories', { path: '越权/分类' }, token)).status).toBe(403)
    }
    expect((await t.http().get('/api/questions')).status).toBe(401)
  })

  it('secretaries may read the category list, members may not', async () => {
    expect((await api.get('/api/questions/categories', secretary)).status).toBe(200)
    expect((await api.get('/api/questions/categories', member)).status).toBe(403)
  })
})

describe('create, read, edit, delete', () => {
  let id: number

  it('creates a question: 201 with id and the public fields', async () => {
    const res = await api.post('/api/questions', single('接口测试：下列哪一项是正确答案？', { tags: ['接口', '测试'] }))
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      type: 'single',
      stem: '接口测试：下列哪一项是正确答案？',
      answer: 'B',
      category: '测试/接口',
      tags: ['接口', '测试'],
      difficulty: 2,
      status: 'published',
      version: 1,
      bankId: null,
      validUntil: null,
    })
    expect(res.body.options).toEqual([
      { key: 'A', text: '甲' },
      { key: 'B', text: '乙' },
      { key: 'C', text: '丙' },
    ])
    expect(res.body.id).toBeGreaterThan(0)
    id = res.body.id
    const read = await api.get(`/api/questions/${id}`)
    expect(read.status).toBe(200)
    expect(read.body).toEqual(res.body)
  })

  it('creates every type with its answer shape', async () => {
    const judge = await api.post('/api/questions', {
      type: 'judge',
      stem: '接口测试：判断题可以没有选项。',
      answer: true,
      category: '测试/接口',
    })
    expect(judge.status).toBe(201)
    expect(judge.body).toMatchObject({ answer: true, difficulty: 3 })
    expect(judge.body.options).toBeUndefined()
    const fill = await api.post('/api/questions', {
      type: 'fill',
      stem: '接口测试：中共一大于______年召开，地点在____。',
      answer: [['1921', '1921年'], ['上海']],
      category: '测试/接口',
      validUntil: '2030-12-31',
    })
    expect(fill.status).toBe(201)
    expect(fill.body).toMatchObject({
      stem: '接口测试：中共一大于____年召开，地点在____。',
      answer: [['1921', '1921年'], ['上海']],
      validUntil: '2030-12-31',
    })
    const multiple = await api.post(
      '/api/questions',
      single('接口测试：多选题选哪些？', { type: 'multiple', answer: ['C', 'A'], status: 'draft' }),
    )
    expect(multiple.status).toBe(201)
    expect(multiple.body).toMatchObject({ answer: ['A', 'C'], status: 'draft' })
  })

  it('rejects bad questions with 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [single('   '), 'stem', /题干/],
      [single('答案不在选项里的题？', { answer: 'E' }), 'answer', /E/],
      [single('选项只有一个的题？', { options: [{ key: 'A', text: '甲' }], answer: 'A' }), 'options', /选项/],
      [
        {
          type: 'judge',
          stem: '判断题带了选项。',
          options: [
            { key: 'A', text: '对' },
            { key: 'B', text: '错' },
          ],
          answer: true,
          category: '测试',
        },
        'options',
        /选项/,
      ],
      [{ type: 'fill', stem: '两个空____和____。', answer: [['一']], category: '测试' }, 'answer', /空/],
      [{ type: 'essay', stem: '论述题？', answer: 'x', category: '测试' }, 'type', /题型/],
      [single('难度超出范围的题？', { difficulty: 9 }), 'difficulty', /难度/],
      [single('分类层级为空的题？', { category: '党史//长征' }), 'category', /分类/],
      [
        {
          type: 'single',
          stem: '缺分类的题？',
          options: [
            { key: 'A', text: '甲' },
            { key: 'B', text: '乙' },
          ],
          answer: 'A',
        },
        'category',
        /category/,
      ],
    ]
    for (const [body, field, message] of cases) {
      const res = await api.post('/api/questions', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.code).toBe('VALIDATION')
      expect(
        res.body.error.details.map((d: any) => d.field),
        JSON.stringify(res.body),
      ).toContain(field)
      expect(res.body.error.message).toMatch(message)
    }
  })

  it('a duplicate (whitespace and full-width punctuation aside) is a 409 with the existing id', async () => {
    const dup = await api.post(
      '/api/questions',
      single(' 接口测试： 下列哪一项是正确答案? ', {
        options: [
          { key: 'A', text: '丙' },
          { key: 'B', text: '甲' },
          { key: 'C', text: '乙' },
        ],
        answer: 'C',
      }),
    )
    expect(dup.status).toBe(409)
    expect(dup.body.error.code).toBe('CONFLICT')
    expect(dup.body.error.details[0].existingId).toBe(id)
  })

  it('editing bumps the version and keeps the old one in the revisions', async () => {
    const before = (await api.get(`/api/questions/${id}`)).body
    const res = await api.put(`/api/questions/${id}`, { ...before, stem: '接口测试（修订）：下列哪一项是正确答案？', answer: 'C' })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id, version: 2, answer: 'C', stem: '接口测试（修订）：下列哪一项是正确答案？' })
    const again = await api.put(`/api/questions/${id}`, { ...res.body, explanation: '第三版解析' })
    expect(again.body.version).toBe(3)
    // Saving the same content again makes no new version.
    expect((await api.put(`/api/questions/${id}`, again.body)).body.version).toBe(3)

    const revisions = await api.get(`/api/questions/${id}/revisions`)
    expect(revisions.status).toBe(200)
    expect(revisions.body.map((r: any) => r.version)).toEqual([2, 1])
    expect(revisions.body[1].snapshot).toMatchObject({ stem: '接口测试：下列哪一项是正确答案？', answer: 'B', version: 1 })
    expect(revisions.body[0].snapshot).toMatchObject({ answer: 'C', explanation: '测试解析' })
    expect(revisions.body[0].editorName).toBe('系统管理员')
  })

  it('an edit that collides with another question is a 409; a bad edit a 400; unknown ids 404', async () => {
    const other = await api.post('/api/questions', single('接口测试：另一道题？'))
    const current = (await api.get(`/api/questions/${id}`)).body
    const collide = await api.put(`/api/questions/${other.body.id}`, { ...current })
    expect(collide.status).toBe(409)
    expect(collide.body.error.details[0].existingId).toBe(id)
    expect((await api.put(`/api/questions/${id}`, { ...current, answer: 'Z' })).status).toBe(400)
    expect((await api.get('/api/questions/99999999')).status).toBe(404)
    expect((await api.put('/api/questions/99999999', current)).status).toBe(404)
    expect((await api.del('/api/questions/99999999')).status).toBe(404)
    expect((await api.get('/api/questions/99999999/revisions')).status).toBe(404)
  })

  it('deletes an unanswered question (204) but only retires an answered one (200)', async () => {
    const spare = await api.post('/api/questions', single('接口测试：将被删除的题？'))
    expect((await api.del(`/api/questions/${spare.body.id}`)).status).toBe(204)
    expect((await api.get(`/api/questions/${spare.body.id}`)).status).toBe(404)

    const users = await t.db.selectFrom('users').select(['id', 'org_id']).where('username', '=', 'dy0001').executeTakeFirstOrThrow()
    const now = new Date()
    const exam = await t.db
      .insertInto('exams')
      .values({
        title: '删除测试',
        opens_at: now,
        closes_at: now,
        duration_minutes: 30,
        audience_org_ids: JSON.stringify([users.org_id]),
        pass_score: 60,
        max_attempts: 1,
        shuffle_questions: false,
        shuffle_options: false,
        release_results: 'immediately',
        paper: JSON.stringify({ questionIds: [id] }),
        max_score: 100,
        created_by: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const attempt = await t.db
      .insertInto('attempts')
      .values({
        exam_id: exam.id,
        user_id: users.id,
        org_id: users.org_id,
        attempt_no: 1,
        status: 'submitted',
        started_at: now,
        deadline: now,
        submitted_at: now,
        submitted_by: 'user',
        score: 0,
        max_score: 100,
        passed: false,
        paper: JSON.stringify([]),
        device_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await t.db
      .insertInto('attempt_answers')
      .values({ attempt_id: attempt.id, question_id: id, answer: JSON.stringify('B'), saved_at: now, correct: false, score: 0 })
      .execute()

    const res = await api.del(`/api/questions/${id}`)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id, status: 'retired' })
    expect((await api.get(`/api/questions/${id}`)).body.status).toBe('retired')
    expect((await api.get(`/api/questions/${id}/revisions`)).body).toHaveLength(2)

    // A shipped question is retired too: deleted, the next bank sync would bring it back.
    const shipped = await t.db.selectFrom('questions').select('id').where('bank_id', '=', 'jh-010').executeTakeFirstOrThrow()
    const gone = await api.del(`/api/questions/${shipped.id}`)
    expect(gone.status).toBe(200)
    expect(gone.body).toMatchObject({ status: 'retired', bankId: 'jh-010' })
    await api.post('/api/questions/bulk', { ids: [shipped.id], action: 'publish' })
  })
})

describe('list, filters and search', () => {
  it('finds a shipped question by a Chinese substring of its stem, explanation or source', async () => {
    const shipped = await t.db.selectFrom('questions').select(['id', 'stem']).where('bank_id', '=', 'jh-001').executeTakeFirstOrThrow()
    const byStem = await list(`q=${encodeURIComponent('伟大建党精神，并指出')}`)
    expect(byStem.items.map((q: any) => q.id)).toContain(shipped.id)
    expect(
      byStem.items.every((q: any) => [q.stem, q.explanation, q.source, q.tags.join()].some((s) => s?.includes('伟大建党精神，并指出'))),
    ).toBe(true)
    const bySource = await list(`q=${encodeURIComponent('在庆祝中国共产党成立100周年大会上的讲话')}`)
    expect(bySource.total).toBeGreaterThan(1)
    expect(bySource.items.map((q: any) => q.id)).toContain(shipped.id)
    // LIKE wildcards are literal text: nothing in the bank contains "%%%".
    expect(await total(`&q=${encodeURIComponent('%%%')}`)).toBe(0)

    // Text search pages and counts like any list, also past its last page.
    const zunyi = encodeURIComponent('遵义')
    const first = (await api.get(`/api/questions?q=${zunyi}&pageSize=5&page=1`)).body
    const second = (await api.get(`/api/questions?q=${zunyi}&pageSize=5&page=2`)).body
    const beyond = (await api.get(`/api/questions?q=${zunyi}&pageSize=5&page=999`)).body
    expect(first.total).toBeGreaterThan(10)
    expect(second.total).toBe(first.total)
    expect(beyond).toEqual({ items: [], total: first.total })
    expect(second.items.map((q: any) => q.id).every((id: number) => id < first.items[4].id)).toBe(true)
    expect(Object.keys(first.items[0])).not.toContain('total_matches')
  })

  it('a category matches itself and its sub-paths, never a mere string prefix', async () => {
    const all = await total()
    const dangshi = await list('category=' + encodeURIComponent('党史'))
    expect(dangshi.total).toBeGreaterThan(100)
    expect(dangshi.total).toBeLessThan(all)
    expect(dangshi.items.every((q: any) => q.category.startsWith('党史/'))).toBe(true)
    const period = await total('&category=' + encodeURIComponent('党史/新民主主义革命时期'))
    expect(period).toBeGreaterThan(20)
    expect(period).toBeLessThan(dangshi.total)
    expect(await total('&category=' + encodeURIComponent('党'))).toBe(0)
  })

  it('filters by type, difficulty, status and tag, and pages', async () => {
    const judges = await list('type=judge')
    expect(judges.total).toBeGreaterThan(10)
    expect(judges.items.every((q: any) => q.type === 'judge')).toBe(true)
    const hard = await list('difficulty=5')
    expect(hard.total).toBeGreaterThan(0)
    expect(hard.items.every((q: any) => q.difficulty === 5)).toBe(true)
    const tagged = await list('tag=' + encodeURIComponent('遵义会议'))
    expect(tagged.total).toBeGreaterThan(3)
    expect(tagged.items.every((q: any) => q.tags.includes('遵义会议'))).toBe(true)
    const retired = await list('status=retired')
    expect(retired.items.every((q: any) => q.status === 'retired')).toBe(true)
    expect(retired.total).toBeGreaterThan(0)

    const page1 = await api.get('/api/questions?pageSize=5&page=1&type=single')
    const page2 = await api.get('/api/questions?pageSize=5&page=2&type=single')
    expect(page2.body.items).toHaveLength(5)
    expect(page2.body.total).toBe(page1.body.total)
    expect(page2.body.items.map((q: any) => q.id)).not.toContain(page1.body.items[0].id)
    expect((await api.get('/api/questions?type=essay')).status).toBe(400)
    expect((await api.get('/api/questions?pageSize=100000')).status).toBe(400)
  })
})

describe('categories', () => {
  it('lists paths with counts, creates, renames and deletes empty ones', async () => {
    const cats = (await api.get('/api/questions/categories')).body as { path: string; count: number }[]
    const period = cats.find((c) => c.path === '党史/新民主主义革命时期')
    expect(period?.count).toBe(await total('&category=' + encodeURIComponent('党史/新民主主义革命时期')))
    expect(cats.map((c) => c.path)).toEqual(expect.arrayContaining(['重要讲话', '三线精神', '党章党规']))

    const created = await api.post('/api/questions/categories', { path: ' 专题 / 红色家书 ' })
    expect(created.status).toBe(201)
    expect(created.body).toEqual({ path: '专题/红色家书', count: 0 })
    expect((await api.post('/api/questions/categories', { path: '专题/红色家书' })).status).toBe(409)
    expect((await api.post('/api/questions/categories', { path: '专题//x' })).status).toBe(400)
    expect((await api.get('/api/questions/categories')).body).toContainEqual({ path: '专题/红色家书', count: 0 })

    const q = await api.post('/api/questions', single('分类测试：红色家书题？', { category: '专题/红色家书' }))
    expect((await api.del('/api/questions/categories?path=' + encodeURIComponent('专题'))).status).toBe(409)
    const renamed = await api.post('/api/questions/categories/rename', { from: '专题', to: '主题教育' })
    expect(renamed.body).toEqual({ updated: 1 })
    expect((await api.get(`/api/questions/${q.body.id}`)).body.category).toBe('主题教育/红色家书')
    expect((await api.post('/api/questions/categories/rename', { from: '主题教育', to: '主题教育/子类' })).status).toBe(422)

    await api.post('/api/questions/categories', { path: '空分类/下级' })
    expect((await api.del('/api/questions/categories?path=' + encodeURIComponent('空分类'))).status).toBe(204)
    expect((await api.get('/api/questions/categories')).body.map((c: any) => c.path)).not.toContain('空分类/下级')
  })
})

describe('bulk actions', () => {
  it('publishes, retires, moves and tags many at once', async () => {
    const a = (await api.post('/api/questions', single('批量测试：第一题？', { status: 'draft' }))).body
    const b = (await api.post('/api/questions', single('批量测试：第二题？', { status: 'draft', tags: ['旧'] }))).body
    const ids = [a.id, b.id]
    expect((await api.post('/api/questions/bulk', { ids, action: 'publish' })).body).toEqual({ updated: 2 })
    expect((await api.get(`/api/questions/${a.id}`)).body.status).toBe('published')
    expect((await api.post('/api/questions/bulk', { ids, action: 'retire' })).body).toEqual({ updated: 2 })
    expect((await api.get(`/api/questions/${b.id}`)).body.status).toBe('retired')
    expect((await api.post('/api/questions/bulk', { ids, action: 'move', category: '批量/目标' })).body).toEqual({ updated: 2 })
    expect((await api.get(`/api/questions/${b.id}`)).body.category).toBe('批量/目标')
    expect((await api.post('/api/questions/bulk', { ids, action: 'tag', tags: ['旧', '新'] })).body).toEqual({ updated: 2 })
    expect((await api.get(`/api/questions/${a.id}`)).body.tags).toEqual(['旧', '新'])
    expect((await api.get(`/api/questions/${b.id}`)).body.tags).toEqual(['旧', '新'])
    // Tagging again changes nothing.
    expect((await api.post('/api/questions/bulk', { ids, action: 'tag', tags: ['新'] })).body).toEqual({ updated: 0 })

    const noCategory = await api.post('/api/questions/bulk', { ids, action: 'move' })
    expect(noCategory.status).toBe(400)
    expect(noCategory.body.error.details[0].field).toBe('category')
    expect((await api.post('/api/questions/bulk', { ids, action: 'explode' })).status).toBe(400)
    expect((await api.post('/api/questions/bulk', { ids: [], action: 'retire' })).status).toBe(400)
  })
})

describe('import', () => {
  const good = [
    [
      '单选',
      '导入测试：遵义会议召开于哪一年？',
      '1934年',
      '1935年',
      '1936年',
      '',
      '',
      '',
      'B',
      '1935年1月召开。',
      2,
      '导入测试/单选',
      '遵义会议',
      '《中国共产党简史》',
    ],
    [
      '多选',
      '导入测试：下列哪些属于三线建设时期在贵州布局的基地？',
      '航天基地',
      '航空基地',
      '电子工业基地',
      '海洋渔业基地',
      '',
      '',
      'ABC',
      '贵州形成了“三线”航空、航天、电子工业基地。',
      3,
      '导入测试/多选',
      '三线建设',
      '贵州工业史',
    ],
    ['判断', '导入测试：四渡赤水战役发生在长征途中。', '', '', '', '', '', '', '正确', '', 1, '导入测试/判断', '', ''],
  ]

  it('a new admin: template → three rows with one mistake → dry run names the row → fix → import → search', async () => {
    const template = await download('/api/questions/template')
    expect(template.status).toBe(200)
    expect(template.headers['content-type']).toContain('spreadsheetml')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(template.body as any)
    expect((wb.worksheets[0].getRow(1).values as string[]).slice(1)).toEqual(COLUMNS)

    const bad = [...good.slice(0, 2), ['判断', good[2][1], '', '', '', '', '', '', '也许', '', 1, '导入测试/判断', '', '']]
    const before = await total()
    const dry = await upload(await xlsx(COLUMNS, bad), 'questions.xlsx', '?dryRun=true')
    expect(dry.status).toBe(200)
    expect(dry.body).toMatchObject({ imported: 2, duplicates: [], dryRun: true })
    expect(dry.body.errors).toHaveLength(1)
    expect(dry.body.errors[0].row).toBe(4)
    expect(dry.body.errors[0].message).toContain('也许')
    expect(dry.body.preview.map((p: any) => p.row)).toEqual([2, 3])
    expect(dry.body.preview[1]).toMatchObject({ type: 'multiple', answer: ['A', 'B', 'C'], category: '导入测试/多选' })
    expect(await total()).toBe(before)

    const rejected = await upload(await xlsx(COLUMNS, bad), 'questions.xlsx')
    expect(rejected.status).toBe(422)
    expect(rejected.body.imported).toBe(0)
    expect(rejected.body.errors.map((e: any) => e.row)).toEqual([4])
    expect(await total()).toBe(before)

    const fixed = await upload(await xlsx(COLUMNS, good), 'questions.xlsx')
    expect(fixed.status).toBe(200)
    expect(fixed.body).toMatchObject({ imported: 3, duplicates: [], errors: [] })
    expect(await total()).toBe(before + 3)
    const found = await list(`q=${encodeURIComponent('四渡赤水战役发生')}`)
    expect(found.items).toHaveLength(1)
    expect(found.items[0]).toMatchObject({ type: 'judge', answer: true, category: '导入测试/判断', status: 'published' })
    expect((await api.get('/api/questions/categories')).body.map((c: any) => c.path)).toContain('导入测试/多选')

    // The same file again: every row is a duplicate pointing at what the first import created.
    const again = await upload(await xlsx(COLUMNS, good), 'questions.xlsx')
    expect(again.body.imported).toBe(0)
    expect(again.body.duplicates.map((d: any) => d.row)).toEqual([2, 3, 4])
    expect(again.body.duplicates[2].existingId).toBe(found.items[0].id)
  })

  it('skipInvalid imports the good rows and still reports the bad', async () => {
    const rows = [
      ['单选', '跳过测试：正确的一行？', '是', '否', '', '', '', '', 'A', '', 3, '导入测试/跳过', '', ''],
      ['单选', '', '是', '否', '', '', '', '', 'A', '', 3, '导入测试/跳过', '', ''],
      ['问答', '跳过测试：不支持的题型？', '', '', '', '', '', '', '略', '', 3, '导入测试/跳过', '', ''],
    ]
    const before = await total()
    const res = await upload(csv(COLUMNS, rows), 'q.csv', '?skipInvalid=true')
    expect(res.status).toBe(200)
    expect(res.body.imported).toBe(1)
    expect(res.body.errors.map((e: any) => e.row)).toEqual([3, 4])
    expect(res.body.errors[0].message).toContain('题干')
    expect(res.body.errors[1].message).toContain('问答')
    expect(await total()).toBe(before + 1)
  })

  it('a formula error cell is named by row and column, not read as empty; a good formula gives its result', async () => {
    const wb = new ExcelJS.Workbook()
    const sheet = wb.addWorksheet('题目')
    sheet.addRow(COLUMNS)
    sheet.addRow([
      '判断',
      { formula: '"公式结果：遵义会议"&"在1935年召开。"', result: '公式结果：遵义会议在1935年召开。' },
      '',
      '',
      '',
      '',
      '',
      '',
      '正确',
      '',
      2,
      '导入测试/公式',
    ])
    sheet.addRow(['判断', { formula: 'Sheet9!B2', result: { error: '#REF!' } }, '', '', '', '', '', '', '正确', '', 2, '导入测试/公式'])
    sheet.addRow(['单选', '公式测试：哪一个？', '甲', { error: '#N/A' }, '', '', '', '', 'A', '', 2, '导入测试/公式'])
    const dry = await upload(Buffer.from(await wb.xlsx.writeBuffer()), 'q.xlsx', '?dryRun=true')
    expect(dry.status).toBe(200)
    expect(dry.body.preview).toMatchObject([{ row: 2, stem: '公式结果：遵义会议在1935年召开。' }])
    expect(dry.body.errors).toEqual([
      { row: 3, message: '题干：这一格的公式出错了（显示 #REF!），请直接填写内容' },
      { row: 4, message: '选项B：这一格的公式出错了（显示 #N/A），请直接填写内容' },
    ])
  })

  it('asDraft imports every row as a draft, never drawn until published', async () => {
    const rows = [['判断', '草稿导入测试：这道题先审核再发布。', '', '', '', '', '', '', '正确', '', 2, '导入测试/草稿', '', '']]
    const res = await upload(csv(COLUMNS, rows), 'q.csv', '?asDraft=true')
    expect(res.status).toBe(200)
    expect(res.body.imported).toBe(1)
    const stored = await t.db.selectFrom('questions').select('status').where('stem', '=', '草稿导入测试：这道题先审核再发布。').execute()
    expect(stored).toEqual([{ status: 'draft' }])
  })

  it('CSV, JSON and Aiken through HTTP', async () => {
    const fromCsv = await upload(
      csv(COLUMNS, [
        [
          '填空',
          'CSV 测试：中国共产党第一次全国代表大会于____年召开。',
          '',
          '',
          '',
          '',
          '',
          '',
          '1921|1921年',
          '',
          1,
          '导入测试/CSV',
          '建党',
          '',
        ],
      ]),
      'q.csv',
    )
    expect(fromCsv.body).toMatchObject({ imported: 1, errors: [] })
    expect((await list('category=' + encodeURIComponent('导入测试/CSV'))).items[0].answer).toEqual([['1921', '1921年']])

    const json = [
      { type: 'judge', stem: 'JSON 测试：三线建设始于20世纪60年代中期。', answer: true, category: '导入测试/JSON', difficulty: 2 },
      { type: 'single', stem: 'JSON 测试：坏题', options: [{ key: 'A', text: '甲' }], answer: 'A', category: '导入测试/JSON' },
      {
        type: 'multiple',
        stem: 'JSON 测试：多选？',
        options: [
          { key: 'A', text: '甲' },
          { key: 'B', text: '乙' },
          { key: 'C', text: '丙' },
        ],
        answer: ['A', 'B'],
        category: '导入测试/JSON',
      },
    ]
    const jsonDry = await upload(Buffer.from(JSON.stringify(json)), 'q.json', '?dryRun=true')
    expect(jsonDry.body.imported).toBe(2)
    expect(jsonDry.body.errors.map((e: any) => e.row)).toEqual([2])
    expect(jsonDry.body.errors[0].message).toContain('选项')
    expect((await upload(Buffer.from(JSON.stringify(json)), 'q.json')).status).toBe(422)
    expect((await upload(Buffer.from(JSON.stringify([json[0], json[2]])), 'q.json')).body).toMatchObject({ imported: 2, errors: [] })

    const aiken = 'Aiken 测试：遵义会议在哪个省召开？\nA. 贵州\nB. 四川\nC. 云南\nANSWER: A\n\nAiken 测试：缺答案的题\nA. 是\nB. 否\n'
    const fromAiken = await upload(Buffer.from(aiken), 'q.txt', '?skipInvalid=true')
    expect(fromAiken.status).toBe(200)
    expect(fromAiken.body.imported).toBe(1)
    expect(fromAiken.body.errors.map((e: any) => e.row)).toEqual([2])
    expect((await list('q=' + encodeURIComponent('Aiken 测试：遵义会议'))).items[0]).toMatchObject({
      type: 'single',
      answer: 'A',
      category: '导入/Aiken',
    })
  })

  it('a real Moodle GIFT export: unsupported items reported per item, the rest imported', async () => {
    const gift = fs.readFileSync(GIFT_FIXTURE)
    const dry = await upload(gift, 'moodle.gift', '?dryRun=true')
    expect(dry.status).toBe(200)
    expect(dry.body.errors.map((e: any) => e.row)).toEqual([1, 2, 5])
    expect(dry.body.errors.map((e: any) => e.message).join()).toMatch(/essay[\s\S]*matching[\s\S]*numerical/)
    // The last two items are the same true/false question written {T} and {TRUE}.
    expect(dry.body.duplicates).toEqual([{ row: 9, existingId: null, duplicateOfRow: 8 }])
    expect(dry.body.imported).toBe(5)

    expect((await upload(gift, 'moodle.gift')).status).toBe(422)
    const before = await total()
    const res = await upload(gift, 'moodle.txt', '?skipInvalid=true')
    expect(res.status).toBe(200)
    expect(res.body.imported).toBe(5)
    expect(await total()).toBe(before + 5)
    const tsl = (await list('q=TSL')).items
    expect(tsl).toHaveLength(1)
    expect((await list('q=tsl')).items.map((q: any) => q.id)).toEqual([tsl[0].id]) // search ignores letter case
    expect(res.body.duplicates).toEqual([{ row: 9, existingId: tsl[0].id, duplicateOfRow: 8 }])
  })

  it('a question already in the bank is reported with its id and not inserted again', async () => {
    const shipped = (await list('q=' + encodeURIComponent('伟大建党精神，并指出'))).items[0]
    const { id: _id, ...rest } = shipped
    const variant = { ...rest, stem: ` ${shipped.stem.replace('？', '?')}  `, explanation: '另一种解析' }
    const fresh = single('重复测试：一道新题？')
    const before = await total()
    const res = await upload(Buffer.from(JSON.stringify([fresh, variant, fresh])), 'q.json')
    expect(res.status).toBe(200)
    expect(res.body.imported).toBe(1)
    const freshId = (await list('q=' + encodeURIComponent('重复测试：一道新题'))).items[0].id
    expect(res.body.duplicates).toEqual([
      { row: 2, existingId: shipped.id },
      { row: 3, existingId: freshId, duplicateOfRow: 1 },
    ])
    expect(await total()).toBe(before + 1)
  })

  it('hostile and unreadable files are a 400 in the error shape', async () => {
    const notZip = await upload(Buffer.from('this is not a spreadsheet'), 'q.xlsx')
    expect(notZip.status).toBe(400)
    expect(notZip.body.error).toMatchObject({ code: 'VALIDATION' })
    expect(notZip.body.error.details[0].field).toBe('file')
    const pdf = await upload(Buffer.from('%PDF-1.4'), 'q.pdf')
    expect(pdf.status).toBe(400)
    expect(pdf.body.error.message).toContain('.pdf')
    const users = await upload(csv(['用户名', '姓名'], [['a', 'b']]), 'q.csv')
    expect(users.status).toBe(400)
    expect(users.body.error.message).toContain('题型')
    expect((await upload(Buffer.from('just some notes'), 'q.txt')).status).toBe(400)
    expect((await upload(Buffer.from('[{'), 'q.json')).status).toBe(400)
    expect((await upload(Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x2c]), 'q.csv')).status).toBe(400) // GBK
  })

  it('20,000 rows import in one go', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => [
      '判断',
      `批量导入第 ${i + 1} 题：这是一道性能测试题。`,
      '',
      '',
      '',
      '',
      '',
      '',
      i % 2 ? '正确' : '错误',
      '',
      3,
      '导入测试/性能',
      '',
      '',
    ])
    const before = await total()
    const res = await upload(csv(COLUMNS, rows), 'big.csv')
    expect(res.status).toBe(200)
    expect(res.body.imported).toBe(20_000)
    expect(await total()).toBe(before + 20_000)
    // Clean up so later tests work on a bank of ordinary size.
    await t.db.deleteFrom('questions').where('category', '=', '导入测试/性能').execute()
  }, 60_000)
})

describe('export', () => {
  it('json export re-imports as a no-op: every row a duplicate, nothing imported', async () => {
    const res = await t.http().get('/api/questions/export?format=json').set(bearer(admin))
    expect(res.status).toBe(200)
    expect(res.headers['content-disposition']).toContain('.json')
    const exported = res.body as any[]
    const count = await total()
    expect(exported).toHaveLength(count)
    expect(exported.every((q) => q.id === undefined && q.type && q.stem && q.category)).toBe(true)

    const again = await upload(Buffer.from(JSON.stringify(exported)), 'export.json')
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ imported: 0, errors: [] })
    expect(again.body.duplicates).toHaveLength(count)
    expect(again.body.duplicates.every((d: any) => d.existingId > 0)).toBe(true)
    expect(await total()).toBe(count)
  })

  it('xlsx export (the import template) re-imports as a no-op and neutralises formulas', async () => {
    const formula = await api.post('/api/questions', {
      type: 'judge',
      stem: '=1+1 这样的内容在表格里不会被执行。',
      answer: true,
      category: '导出测试',
      explanation: '@SUM(A1)',
    })
    expect(formula.status).toBe(201)
    const res = await download('/api/questions/export?format=xlsx')
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    const count = await total()

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body as any)
    const sheet = wb.worksheets[0]
    expect(sheet.actualRowCount).toBe(count + 1)
    let formulaRow: ExcelJS.Row | undefined
    sheet.eachRow((row) => {
      if (String(row.getCell(2).value).includes('1+1 这样的内容')) formulaRow = row
    })
    expect(formulaRow!.getCell(2).value).toBe("'=1+1 这样的内容在表格里不会被执行。")
    expect(formulaRow!.getCell(10).value).toBe("'@SUM(A1)")

    const again = await upload(res.body as Buffer, 'export.xlsx')
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ imported: 0, errors: [] })
    expect(again.body.duplicates).toHaveLength(count)
    expect(again.body.duplicates.find((d: any) => d.existingId === formula.body.id)).toBeDefined()
    expect(await total()).toBe(count)
  })

  it('exports what the filters select', async () => {
    const res = await t
      .http()
      .get('/api/questions/export?format=json&category=' + encodeURIComponent('三线精神'))
      .set(bearer(admin))
    expect(res.body.length).toBe(await total('&category=' + encodeURIComponent('三线精神')))
    expect(res.body.length).toBeGreaterThan(10)
    expect(res.body.every((q: any) => q.category === '三线精神' || q.category.startsWith('三线精神/'))).toBe(true)
  })
})

describe('shipped bank sync', () => {
  const shippedCount = async () =>
    (
      await t.db
        .selectFrom('questions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('bank_id', 'is not', null)
        .where('status', '!=', 'retired')
        .executeTakeFirstOrThrow()
    ).n

  it('the shipped bank (≥ 400 questions) is loaded and a second sync changes nothing', async () => {
    const bank = loadBankDir(BANK_DIR)
    expect(bank.questions.length).toBeGreaterThanOrEqual(400)
    expect(Number(await shippedCount())).toBe(bank.questions.length)
    const res = await syncBank(t.db, BANK_DIR)
    expect(res).toMatchObject({ inserted: 0, updated: 0, retired: 0, unchanged: bank.questions.length, errors: [] })
  })

  it('changed files update by id with a revision, removed questions are retired, and both come back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-sync-'))
    try {
      for (const f of fs.readdirSync(BANK_DIR)) if (f.endsWith('.yaml')) fs.copyFileSync(path.join(BANK_DIR, f), path.join(dir, f))
      const file = path.join(dir, 'jianghua.yaml')
      const doc = parseYaml(fs.readFileSync(file, 'utf8'))
      const edited = doc.questions[1]
      const removed = doc.questions[2]
      edited.explanation = `${edited.explanation}（修订）`
      doc.questions.splice(2, 1)
      fs.writeFileSync(file, stringifyYaml(doc))

      const row = (bankId: string) =>
        t.db
          .selectFrom('questions')
          .select(['id', 'status', 'version', 'explanation'])
          .where('bank_id', '=', bankId)
          .executeTakeFirstOrThrow()
      const before = await row(edited.id)
      const res = await syncBank(t.db, dir)
      expect(res).toMatchObject({ inserted: 0, updated: 1, retired: 1 })
      const after = await row(edited.id)
      expect(after).toMatchObject({ id: before.id, version: before.version + 1, explanation: edited.explanation })
      expect((await row(removed.id)).status).toBe('retired')
      const revisions = (await api.get(`/api/questions/${before.id}/revisions`)).body
      expect(revisions[0]).toMatchObject({ version: before.version, editorId: null })
      expect(revisions[0].snapshot.explanation).toBe(before.explanation)
      expect(await syncBank(t.db, dir)).toMatchObject({ inserted: 0, updated: 0, retired: 0 })

      // Back to the shipped files: the edit is undone as a new version, the retired one returns.
      expect(await syncBank(t.db, BANK_DIR)).toMatchObject({ inserted: 0, updated: 2, retired: 0 })
      expect(await row(edited.id)).toMatchObject({ version: before.version + 2, explanation: before.explanation })
      expect((await row(removed.id)).status).toBe('published')
      expect((await syncBank(t.db, BANK_DIR)).unchanged).toBe(loadBankDir(BANK_DIR).questions.length)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("an admin's edit of a shipped question survives restarts until its file changes", async () => {
    const shipped = (await list('q=' + encodeURIComponent('伟大建党精神，并指出'))).items[0]
    const res = await api.put(`/api/questions/${shipped.id}`, { ...shipped, explanation: '管理员补充的解析' })
    expect(res.body.version).toBe(shipped.version + 1)
    const sync = await syncBank(t.db, BANK_DIR)
    expect(sync).toMatchObject({ inserted: 0, updated: 0, retired: 0 })
    expect((await api.get(`/api/questions/${shipped.id}`)).body).toMatchObject({ explanation: '管理员补充的解析', bankId: 'jh-001' })
  })
})
