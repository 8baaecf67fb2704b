import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, binary, type TestContext } from './helpers/app.js'
import { csv, xlsx } from './helpers/sheets.js'
import ExcelJS from 'exceljs'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { MAX_IMPORT_ROWS } from '../server/lib/sheets/limits.js'

let t: TestContext
let admin: string
let secretary: string // sj_bgs, secretary of 办公室党支部
let member: string
let orgs: any[]
const org = (name: string) => orgs.find((o) => o.name === name)
const HEADER = ['用户名', '姓名', '组织', '角色', '初始密码']

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  secretary = await t.login('sj_bgs')
  member = await t.login('dy0001')
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
})
afterAll(async () => {
  await t?.close()
})

const countUsers = async () => (await t.http().get('/api/users?pageSize=1').set(bearer(admin))).body.total as number

describe('create users: role × scope', () => {
  const body = (username: string, orgName: string, role = 'member') => ({
    username,
    name: '王测试',
    password: 'Harbor-Lamp-2026',
    orgId: org(orgName).id,
    role,
  })

  it('admin creates anyone anywhere; the user works at once', async () => {
    const res = await t
      .http()
      .post('/api/users')
      .set(bearer(admin))
      .send(body('u-admin-made', '电子信息处党支部', 'secretary'))
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      username: 'u-admin-made',
      role: 'secretary',
      orgId: org('电子信息处党支部').id,
      mustChangePassword: false,
    })
    expect((await t.http().post('/api/auth/login').send({ username: 'u-admin-made', password: 'Harbor-Lamp-2026' })).status).toBe(200)
  })

  it('secretary creates inside her subtree only, and never admins', async () => {
    expect((await t.http().post('/api/users').set(bearer(secretary)).send(body('u-sec-in', '办公室党支部'))).status).toBe(201)
    expect((await t.http().post('/api/users').set(bearer(secretary)).send(body('u-sec-out', '电子信息处党支部'))).status).toBe(403)
    expect(
      (
        await t
          .http()
          .post('/api/users')
          .set(bearer(secretary))
          .send(body('u-sec-admin', '办公室党支部', 'admin'))
      ).status,
    ).toBe(403)
  })

  it('members cannot create or list users', async () => {
    expect((await t.http().post('/api/users').set(bearer(member)).send(body('u-mem', '办公室党支部'))).status).toBe(403)
    expect((await t.http().get('/api/users').set(bearer(member))).status).toBe(403)
  })

  it('a duplicate username is a 409; a weak password a 400 naming the field', async () => {
    expect((await t.http().post('/api/users').set(bearer(admin)).send(body('dy0001', '办公室党支部'))).status).toBe(409)
    const weak = await t
      .http()
      .post('/api/users')
      .set(bearer(admin))
      .send({ ...body('u-weak', '办公室党支部'), password: 'abc' })
    expect(weak.status).toBe(400)
    expect(weak.body.error.details[0].field).toBe('password')
    const badRole = await t
      .http()
      .post('/api/users')
      .set(bearer(admin))
      .send({ ...body('u-badrole', '办公室党支部'), role: 'king' })
    expect(badRole.status).toBe(400)
    expect(badRole.body.error.message).toContain('role')
  })
})

describe('list and update: scope', () => {
  it('a secretary sees only her subtree, with search and paging', async () => {
    const all = await t.http().get('/api/users?pageSize=500').set(bearer(secretary))
    expect(all.status).toBe(200)
    const path = org('办公室党支部').path
    const adminView = await t
      .http()
      .get(`/api/users?orgId=${org('办公室党支部').id}&pageSize=500`)
      .set(bearer(admin))
    expect(all.body.total).toBe(adminView.body.total)
    expect(all.body.items.every((u: any) => orgs.find((o) => o.id === u.orgId).path.startsWith(path))).toBe(true)
    const page2 = await t.http().get('/api/users?pageSize=5&page=2').set(bearer(secretary))
    expect(page2.body.items).toHaveLength(5)
    const first = all.body.items[3]
    const found = await t
      .http()
      .get(`/api/users?q=${encodeURIComponent(first.name)}`)
      .set(bearer(secretary))
    expect(found.body.items.map((u: any) => u.id)).toContain(first.id)
  })

  it('a secretary cannot read or change people of other branches (404)', async () => {
    const outsider = (
      await t
        .http()
        .get(`/api/users?orgId=${org('电子信息处党支部').id}&pageSize=1`)
        .set(bearer(admin))
    ).body.items[0]
    expect((await t.http().get(`/api/users/${outsider.id}`).set(bearer(secretary))).status).toBe(404)
    expect((await t.http().patch(`/api/users/${outsider.id}`).set(bearer(secretary)).send({ name: 'x' })).status).toBe(404)
  })

  it('a secretary cannot move her people out of her subtree', async () => {
    const own = (await t.http().get('/api/users?role=member&pageSize=1').set(bearer(secretary))).body.items[0]
    const res = await t
      .http()
      .patch(`/api/users/${own.id}`)
      .set(bearer(secretary))
      .send({ orgId: org('电子信息处党支部').id })
    expect(res.status).toBe(403)
  })

  it('a password reset forces a change at next login', async () => {
    const own = (await t.http().get('/api/users?role=member&pageSize=1&page=2').set(bearer(secretary))).body.items[0]
    expect((await t.http().patch(`/api/users/${own.id}`).set(bearer(secretary)).send({ password: 'Reset2026x' })).status).toBe(200)
    const login = await t.http().post('/api/auth/login').send({ username: own.username, password: 'Reset2026x' })
    expect(login.body.user.mustChangePassword).toBe(true)
  })
})

describe('import users', () => {
  const upload = (token: string, file: Buffer, name: string, query = '') =>
    t.http().post(`/api/users/import${query}`).set(bearer(token)).attach('file', file, name)

  it('offers the template as xlsx', async () => {
    const res = await t.http().get('/api/users/import/template').set(bearer(admin)).buffer(true)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
  })

  it('dry run lists every bad row and writes nothing; real import of a bad file is a 422 writing nothing', async () => {
    const file = await xlsx(HEADER, [
      ['imp001', '赵一', '办公室党支部', '党员', 'Init2026a'],
      ['imp002', '', '办公室党支部', '党员', 'Init2026a'],
      ['imp003', '钱三', '不存在的支部', '党员', 'Init2026a'],
      ['imp004', '孙四', '省工业和信息化厅/厅机关党委/政策法规处党支部', '书记', 'Init2026a'],
      ['imp001', '李五', '办公室党支部', '队长', ''],
    ])
    const before = await countUsers()
    const dry = await upload(admin, file, 'people.xlsx', '?dryRun=true')
    expect(dry.status).toBe(200)
    expect(dry.body.created).toBe(2)
    expect(dry.body.errors.map((e: any) => e.row)).toEqual([3, 4, 6])
    expect(dry.body.errors[0].message).toContain('姓名')
    expect(dry.body.errors[1].message).toContain('不存在的支部')
    expect(dry.body.errors[2].message).toMatch(/重复/)
    expect(dry.body.errors[2].message).toMatch(/角色/)
    expect(await countUsers()).toBe(before)

    const real = await upload(admin, file, 'people.xlsx', '?dryRun=false')
    expect(real.status).toBe(422)
    expect(real.body.errors).toHaveLength(3)
    expect(await countUsers()).toBe(before)

    const skipping = await upload(admin, file, 'people.xlsx', '?skipInvalid=true')
    expect(skipping.status).toBe(200)
    expect(skipping.body.created).toBe(2)
    expect(await countUsers()).toBe(before + 2)
  })

  it('imported users must change their password first', async () => {
    const file = csv(HEADER, [['imp100', '周六', '办公室党支部', '党员', 'Start-Lamp-2026']])
    expect((await upload(admin, file, 'people.csv')).status).toBe(200)
    const login = await t.http().post('/api/auth/login').send({ username: 'imp100', password: 'Start-Lamp-2026' })
    expect(login.body.user.mustChangePassword).toBe(true)
    const blocked = await t.http().get('/api/orgs').set(bearer(login.body.accessToken))
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED')
  })

  it('a second import updates instead of duplicating', async () => {
    const file = csv(HEADER, [['imp100', '周六六', '政策法规处党支部', '党员', '']])
    const res = await upload(admin, file, 'people.csv')
    expect(res.body).toMatchObject({ created: 0, updated: 1, errors: [] })
  })

  it("a secretary's import is confined to her subtree", async () => {
    const file = csv(HEADER, [
      ['imp200', '吴七', '办公室党支部', '党员', 'Start-Lamp-2026'],
      ['imp201', '郑八', '电子信息处党支部', '党员', 'Start-Lamp-2026'],
      ['imp202', '王九', '办公室党支部', '管理员', 'Start-Lamp-2026'],
    ])
    const res = await upload(secretary, file, 'people.csv', '?dryRun=true')
    expect(res.status).toBe(200)
    expect(res.body.errors.map((e: any) => e.row)).toEqual([3, 4])
  })

  it('broken files are a 400 naming the problem, never a 500', async () => {
    const notZip = await upload(admin, Buffer.from('this is not a spreadsheet'), 'people.xlsx')
    expect(notZip.status).toBe(400)
    expect(notZip.body.error.code).toBe('VALIDATION')
    const wrongType = await upload(admin, Buffer.from('%PDF-1.4'), 'people.pdf')
    expect(wrongType.status).toBe(400)
    expect(wrongType.body.error.message).toContain('.pdf')
    const missingColumns = await upload(admin, csv(['名字', '部门'], [['a', 'b']]), 'people.csv')
    expect(missingColumns.status).toBe(400)
    expect(missingColumns.body.error.message).toContain('用户名')
    const noFile = await t.http().post('/api/users/import').set(bearer(admin)).field('x', 'y')
    expect(noFile.status).toBe(400)
    const json = await t.http().post('/api/users/import').set(bearer(admin)).send({ file: 'x' })
    expect(json.status).toBe(400)
  })

  /** A workbook of several sheets, in this order: [tab name, rows (row 1 first)]. */
  const book = async (sheets: [string, (string | number | ExcelJS.CellValue)[][]][]) => {
    const wb = new ExcelJS.Workbook()
    for (const [name, rows] of sheets) {
      const sheet = wb.addWorksheet(name)
      for (const r of rows) sheet.addRow(r)
    }
    return Buffer.from(await wb.xlsx.writeBuffer())
  }

  it('reads every sheet whose header is the template, skips the others saying so, and names sheet and row in errors', async () => {
    const file = await book([
      ['说明', [['填写说明'], ['每个支部一个工作表，第 1 行为表头']]],
      ['办公室', [HEADER, ['ms001', '甲一', '办公室党支部', '党员', 'Init2026a'], ['ms002', '', '办公室党支部', '党员', 'Init2026a']]],
      [
        '政策法规处',
        [
          HEADER,
          ['ms003', '乙一', '政策法规处党支部', '党员', 'Init2026a'],
          ['ms004', '乙二', '政策法规处党支部', '书记', ''],
          ['ms001', '乙三', '政策法规处党支部', '党员', 'Init2026a'],
        ],
      ],
      [
        '统计',
        [
          ['用户名', '人数'],
          ['合计', 5],
        ],
      ],
    ])
    const before = await countUsers()
    const dry = await upload(admin, file, 'branches.xlsx', '?dryRun=true')
    expect(dry.status).toBe(200)
    expect(dry.body.created).toBe(3)
    expect(dry.body.notes).toEqual([
      '已跳过工作表「说明」：不是人员表（第 1 行缺少列 用户名、姓名、组织、角色）',
      '已跳过工作表「统计」：不是人员表（第 1 行缺少列 姓名、组织、角色）',
    ])
    expect(dry.body.errors).toEqual([
      { row: 3, sheet: '办公室', message: '工作表「办公室」第 3 行 姓名不能为空' },
      { row: 4, sheet: '政策法规处', message: '工作表「政策法规处」第 4 行 用户名“ms001”与工作表「办公室」第 2 行重复' },
    ])
    expect(dry.body.preview.map((p: any) => [p.sheet, p.row, p.username])).toEqual([
      ['办公室', 2, 'ms001'],
      ['政策法规处', 2, 'ms003'],
      ['政策法规处', 3, 'ms004'],
    ])
    expect(await countUsers()).toBe(before)

    // Nothing half-written: one bad row in either sheet refuses the whole file.
    const real = await upload(admin, file, 'branches.xlsx')
    expect(real.status).toBe(422)
    expect(await countUsers()).toBe(before)
    const skipping = await upload(admin, file, 'branches.xlsx', '?skipInvalid=true')
    expect(skipping.status).toBe(200)
    expect(skipping.body).toMatchObject({ created: 3, updated: 0 })
    expect(await countUsers()).toBe(before + 3)
  })

  it('our own template (人员 then 说明) imports its 人员 sheet and says it skipped 说明', async () => {
    const res = await t.http().get('/api/users/import/template').set(bearer(admin)).buffer(true).parse(binary)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body)
    const people = wb.getWorksheet('人员')!
    people.spliceRows(2, 2, ['tpl001', '模板一', '办公室党支部', '党员', 'Init2026a'], ['tpl002', '', '办公室党支部', '党员', ''])
    const dry = await upload(admin, Buffer.from(await wb.xlsx.writeBuffer()), '人员导入模板.xlsx', '?dryRun=true')
    expect(dry.status).toBe(200)
    expect(dry.body.created).toBe(1)
    expect(dry.body.notes).toEqual(['已跳过工作表「说明」：不是人员表（第 1 行缺少列 姓名、组织、角色）'])
    // One people sheet: the row number is enough, as for a workbook of that sheet alone.
    expect(dry.body.errors).toEqual([{ row: 3, message: '姓名不能为空' }])
  })

  it('a workbook with no people sheet is a 400 naming the columns; empty and hidden sheets are said to be skipped', async () => {
    const none = await upload(
      admin,
      await book([
        ['说明', [['说明']]],
        [
          '名单',
          [
            ['名字', '部门'],
            ['a', 'b'],
          ],
        ],
      ]),
      'x.xlsx',
    )
    expect(none.status).toBe(400)
    expect(none.body.error.message).toContain('用户名、姓名、组织、角色、初始密码')
    expect(none.body.error.message).toContain('已跳过工作表「名单」：不是人员表')

    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('人员').addRows([HEADER, ['hid001', '显一', '办公室党支部', '党员', 'Init2026a']])
    const hidden = wb.addWorksheet('旧名单', { state: 'hidden' })
    hidden.addRows([HEADER, ['hid002', '隐二', '办公室党支部', '党员', 'Init2026a']])
    wb.addWorksheet('Sheet3')
    const dry = await upload(admin, Buffer.from(await wb.xlsx.writeBuffer()), 'h.xlsx', '?dryRun=true')
    expect(dry.status).toBe(200)
    expect(dry.body.preview.map((p: any) => p.username)).toEqual(['hid001'])
    expect(dry.body.notes).toEqual(['已跳过工作表「旧名单」：是隐藏的工作表，其中的行不导入', '已跳过工作表「Sheet3」：是空的'])
  })

  it('the row limit holds for all sheets together', async () => {
    const half = Math.floor(MAX_IMPORT_ROWS / 2) + 1
    const rows = (prefix: string) => [HEADER, ...Array.from({ length: half }, (_, i) => [`${prefix}${i}`])]
    const res = await upload(
      admin,
      await book([
        ['一', rows('a')],
        ['二', rows('b')],
      ]),
      'big.xlsx',
      '?dryRun=true',
    )
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain(`${MAX_IMPORT_ROWS} 行`)
  })

  it('a formula error cell is reported as what it is, by row and column; a good formula gives its result', async () => {
    const file = await book([
      [
        'Sheet1',
        [
          HEADER,
          ['fx001', { formula: '"王"&"五"', result: '王五' }, '办公室党支部', '党员', 'Init2026a'],
          ['fx002', { formula: 'Sheet9!A1', result: { error: '#REF!' } }, '办公室党支部', '党员', 'Init2026a'],
          ['fx003', '赵六', { formula: '1/0', result: { error: '#DIV/0!' } }, { error: '#N/A' }, 'Init2026a'],
          ['', { error: '#VALUE!' }],
        ],
      ],
    ])
    const dry = await upload(admin, file, 'fx.xlsx', '?dryRun=true')
    expect(dry.status).toBe(200)
    expect(dry.body.preview).toMatchObject([{ row: 2, username: 'fx001', name: '王五' }])
    expect(dry.body.errors).toEqual([
      { row: 3, message: '姓名：这一格的公式出错了（显示 #REF!），请直接填写内容' },
      {
        row: 4,
        message: '组织：这一格的公式出错了（显示 #DIV/0!），请直接填写内容；角色：这一格的公式出错了（显示 #N/A），请直接填写内容',
      },
      { row: 5, message: '姓名：这一格的公式出错了（显示 #VALUE!），请直接填写内容；用户名不能为空；组织不能为空' },
    ])
  })

  it('members cannot import', async () => {
    expect((await upload(member, csv(HEADER, []), 'people.csv')).status).toBe(403)
  })

  it('lays the generated passwords out as an xlsx to hand out; formulas stay text; bounded', async () => {
    const people = [
      { username: 'pw001', name: '周一', initialPassword: 'Kx7-pQ2m' },
      { username: 'pw002', name: '=HYPERLINK("http://x")', initialPassword: '+Ab3-xy9' },
    ]
    const res = await t.http().post('/api/users/import/passwords.xlsx').set(bearer(secretary)).send({ people }).buffer(true).parse(binary)
    expect(res.status).toBe(200)
    expect(decodeURIComponent(res.headers['content-disposition'])).toContain('账号和初始密码.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body)
    const sheet = wb.getWorksheet('初始密码')!
    expect(sheet.getRow(1).values).toEqual([undefined, '用户名', '姓名', '初始密码'])
    expect(sheet.getRow(2).values).toEqual([undefined, 'pw001', '周一', 'Kx7-pQ2m'])
    // A cell that would start a formula in Excel is written as text with a leading quote.
    expect(sheet.getRow(3).values).toEqual([undefined, 'pw002', `'=HYPERLINK("http://x")`, "'+Ab3-xy9"])
    expect(sheet.getRow(3).getCell(2).formula).toBeUndefined()

    const tooMany = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => ({ username: `u${i}`, name: '', initialPassword: 'x' }))
    const flood = await t.http().post('/api/users/import/passwords.xlsx').set(bearer(admin)).send({ people: tooMany })
    expect(flood.status).toBe(400)
    expect(flood.body.error.message).toContain('people')
    expect((await t.http().post('/api/users/import/passwords.xlsx').set(bearer(member)).send({ people })).status).toBe(403)
  })
})
