// Question import/export formats and the shipped bank: pure functions, no database.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { deflateRawSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import ExcelJS from 'exceljs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { QuestionInput } from '../server/modules/questions/model.js'
import { normalizeFillAnswer, normalizeStem, questionFingerprint, validateQuestion } from '../server/modules/questions/formats/validate.js'
import {
  FileFormatError,
  TEMPLATE_COLUMNS,
  formatFillAnswer,
  neutralizeCell,
  parseFillAnswer,
  parseQuestionRows,
  readSpreadsheet,
  templateXlsx,
  unneutralizeCell,
  writeQuestionsXlsx,
} from '../server/modules/questions/formats/spreadsheet.js'
import { parseGift } from '../server/modules/questions/formats/gift.js'
import { parseAiken } from '../server/modules/questions/formats/aiken.js'
import { parseQuestionJson } from '../server/modules/questions/formats/json.js'
import { checkBank, checkBankSize, loadBankDir } from '../server/modules/questions/formats/bank.js'
import { parseQuestionFile } from '../server/modules/questions/formats/index.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
// Real-world inputs live in tests/fixtures/ (provenance in its README): no file outside the clone.
const fixture = (name: string) => fs.readFileSync(path.resolve(repoRoot, 'tests/fixtures', name), 'utf8')

const single: QuestionInput = {
  type: 'single',
  stem: '遵义会议是在哪一年召开的？',
  options: [
    { key: 'A', text: '1934年' },
    { key: 'B', text: '1935年' },
    { key: 'C', text: '1936年' },
  ],
  answer: 'B',
  category: '党史/新民主主义革命时期',
}

const errorsOf = (input: unknown) => {
  const r = validateQuestion(input)
  return r.ok ? [] : r.errors
}

const row = (cells: Partial<Record<(typeof TEMPLATE_COLUMNS)[number], string>>) => cells as Record<string, string>

async function rejectsWithFileFormat(p: Promise<unknown>, message?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(FileFormatError)
  if (message) expect((err as Error).message).toMatch(message)
}

describe('validateQuestion', () => {
  it('accepts a good question, trims it and defaults difficulty to 3', () => {
    const r = validateQuestion({ ...single, stem: '  遵义会议是在哪一年召开的？ ', category: ' 党史 / 新民主主义革命时期 ' })
    expect(r).toEqual({ ok: true, value: { ...single, difficulty: 3 } })
  })

  it('names the field in Chinese for each broken rule', () => {
    expect(errorsOf({ ...single, answer: 'D' })).toContain('答案 D 不在选项中')
    expect(errorsOf({ ...single, stem: '   ' })).toContain('题干不能为空')
    expect(errorsOf({ ...single, stem: 'x'.repeat(2001) })).toContain('题干不能超过 2000 字')
    expect(errorsOf({ ...single, difficulty: 6 })).toContain('难度须为 1–5 的整数')
    expect(errorsOf({ ...single, difficulty: 2.5 })).toContain('难度须为 1–5 的整数')
    expect(errorsOf({ ...single, type: 'essay' })[0]).toMatch(/题型/)
    expect(errorsOf({ type: 'judge', stem: '对吗', answer: 'true', category: 'x' })).toContain('判断题答案须为 true/false')
    expect(errorsOf({ type: 'judge', stem: '对吗', answer: true, category: 'x', options: single.options })).toContain('判断题不应有选项')
    expect(errorsOf({ ...single, category: '' })).toContain('分类不能为空')
    expect(errorsOf({ ...single, category: '党史//长征' })[0]).toMatch(/空的层级/)
    expect(errorsOf({ ...single, options: [{ key: 'A', text: '一' }] })[0]).toMatch(/2–6/)
    expect(
      errorsOf({
        ...single,
        options: [
          { key: 'A', text: '一' },
          { key: 'C', text: '二' },
        ],
        answer: 'A',
      })[0],
    ).toMatch(/第 2 个选项应为 B/)
    expect(
      errorsOf({
        ...single,
        options: [
          { key: 'A', text: '上海' },
          { key: 'B', text: ' 上 海 ' },
        ],
        answer: 'A',
      }),
    ).toContain('选项 A 与 B 内容重复')
  })

  it('sorts and de-duplicates multiple answers, and needs two of them', () => {
    const r = validateQuestion({ ...single, type: 'multiple', answer: ['C', 'a', 'A'] })
    expect(r.ok && r.value.answer).toEqual(['A', 'C'])
    expect(errorsOf({ ...single, type: 'multiple', answer: ['A', 'A'] })).toContain('多选题答案须至少包含 2 个不同选项')
    expect(errorsOf({ ...single, type: 'multiple', answer: ['A', 'E'] })).toContain('答案 E 不在选项中')
  })

  it('checks fill answers against the blanks in the stem', () => {
    const fill = { type: 'fill', stem: '南昌起义爆发于1927年______月____日', answer: [['8', ' 八 ', '8'], ['1']], category: '党史' }
    const r = validateQuestion(fill)
    expect(r.ok && r.value).toMatchObject({ stem: '南昌起义爆发于1927年____月____日', answer: [['8', '八'], ['1']] })
    expect(errorsOf({ ...fill, answer: [['8']] })[0]).toMatch(/2 个空.*1 组/)
    expect(errorsOf({ ...fill, answer: [['8'], [' ', '']] })).toContain('填空题第 2 空至少需要一个非空答案')
    expect(errorsOf({ ...fill, answer: ['8', '1'] })[0]).toMatch(/每空一组/)
    // No markers in the stem: any number of blanks is allowed.
    expect(validateQuestion({ ...fill, stem: '写出南昌起义的月和日', answer: [['8'], ['1']] }).ok).toBe(true)
  })
})

describe('normalisation and fingerprints', () => {
  it('ignores whitespace, full-width forms, Chinese/English punctuation and case', () => {
    const a = { ...single, stem: '中共一大（1921年）在哪里召开？ 选“上海”，还是：嘉兴。' }
    const b = {
      ...single,
      stem: '中共一大 (１９２１年)在哪里召开?选"上海",还是:嘉兴.',
      options: [...single.options!].reverse().map((o) => ({ ...o, text: ` ${o.text.replace('1', '１')} ` })),
    }
    expect(normalizeStem(a.stem)).toBe(normalizeStem(b.stem))
    expect(questionFingerprint(a)).toBe(questionFingerprint(b))
    expect(normalizeStem('ＡＢＣ　d、e')).toBe('abcd,e')
  })

  it('still tells different questions apart', () => {
    expect(questionFingerprint(single)).not.toBe(questionFingerprint({ ...single, stem: '遵义会议是在哪一月召开的？' }))
    expect(questionFingerprint(single)).not.toBe(questionFingerprint({ ...single, type: 'multiple' }))
    const changed = { ...single, options: single.options!.map((o, i) => (i === 2 ? { ...o, text: '1937年' } : o)) }
    expect(questionFingerprint(single)).not.toBe(questionFingerprint(changed))
  })

  it('normalises typed fill answers for grading', () => {
    expect(normalizeFillAnswer('  ＡＢＣ　 １９２１  Year ')).toBe('abc 1921 year')
    expect(normalizeFillAnswer('嘉兴 南湖')).not.toBe(normalizeFillAnswer('嘉兴南湖'))
  })
})

describe('spreadsheet rows', () => {
  it('parses every type with the accepted spellings, numbering rows from 2 and skipping blank rows', () => {
    const r = parseQuestionRows([
      row({
        题型: '单选题',
        题干: '遵义会议是在哪一年召开的？',
        选项A: '1934年',
        选项B: '1935年',
        选项C: '1936年',
        答案: 'ｂ',
        难度: '2',
        分类: '党史',
        标签: '遵义会议，长征、转折',
      }),
      row({}),
      row({
        题型: 'multiple',
        题干: '中共一大在哪些地方举行？',
        选项A: '上海',
        选项B: '北京',
        选项C: '嘉兴南湖',
        答案: 'C、A',
        分类: '党史',
      }),
      row({ 题型: '判断', 题干: '遵义会议在贵州召开。', 答案: '√', 分类: '党史' }),
      row({
        题型: '填空题',
        题干: '中共一大于____召开，地点在____。',
        答案: '1921年|1921；上海 | 上海市',
        分类: '党史',
        解析: '1921年7月',
      }),
    ])
    expect(r.errors).toEqual([])
    expect(r.items.map((i) => i.row)).toEqual([2, 4, 5, 6])
    expect(r.items[0].question).toMatchObject({ type: 'single', answer: 'B', difficulty: 2, tags: ['遵义会议', '长征', '转折'] })
    expect(r.items[1].question).toMatchObject({ type: 'multiple', answer: ['A', 'C'] })
    expect(r.items[2].question).toMatchObject({ type: 'judge', answer: true })
    expect(r.items[3].question).toMatchObject({
      type: 'fill',
      answer: [
        ['1921年', '1921'],
        ['上海', '上海市'],
      ],
      explanation: '1921年7月',
    })
  })

  it('reports broken rows with their sheet row and keeps the good ones', () => {
    const r = parseQuestionRows([
      row({ 题型: '问答', 题干: '谈谈你的认识', 答案: '略', 分类: '党史' }),
      row({ 题型: '单选', 题干: '遵义会议是在哪一年召开的？', 选项A: '1934年', 选项B: '1935年', 答案: 'E', 分类: '党史' }),
      row({ 题型: '单选', 题干: '', 选项A: '是', 选项B: '否', 答案: 'A', 分类: '党史' }),
      row({ 题型: '判断', 题干: '遵义会议在贵州召开。', 答案: '对', 难度: '六', 分类: '党史' }),
      row({ 题型: '单选', 题干: '选项有空缺', 选项A: '一', 选项C: '三', 答案: 'A', 分类: '党史' }),
      row({ 题型: '判断', 题干: '中共一大在上海开幕。', 答案: '对', 分类: '党史' }),
    ])
    expect(r.items.map((i) => i.row)).toEqual([7])
    expect(r.errors).toEqual([
      { row: 2, message: '题型「问答」无法识别，应为 单选/多选/判断/填空' },
      { row: 3, message: '答案 E 不在选项中' },
      { row: 4, message: '题干不能为空' },
      { row: 5, message: '难度须为 1–5 的整数' },
      { row: 6, message: '选项须从 A 起连续填写：选项B 为空' },
    ])
  })

  it('escapes formula-like cells so that parsing gives the text back exactly', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(unneutralizeCell(neutralizeCell(s))).toBe(s)
        expect(neutralizeCell(s)).not.toMatch(/^[=+\-@]/)
      }),
    )
    expect(unneutralizeCell("'hello")).toBe("'hello") // a plain apostrophe typed by a person stays
  })

  it('formats and parses fill answers with escaped separators', () => {
    const text = fc.string({ minLength: 1 })
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 1 }), { minLength: 1 }), (answer) => {
        expect(parseFillAnswer(formatFillAnswer(answer))).toEqual(answer)
      }),
    )
  })
})

describe('xlsx and csv files', () => {
  const tricky: QuestionInput[] = [
    {
      ...single,
      stem: '=1+1 等于几？',
      options: [
        { key: 'A', text: '-5' },
        { key: 'B', text: '2' },
        { key: 'C', text: '+3' },
      ],
      answer: 'B',
      difficulty: 1,
      tags: ['算术'],
    },
    {
      ...single,
      stem: '-5 的绝对值是多少？',
      options: [
        { key: 'A', text: '@5' },
        { key: 'B', text: "'5" },
      ],
      answer: 'A',
      explanation: '=5',
      source: '-',
      difficulty: 5,
    },
    {
      type: 'multiple',
      stem: "'引号开头的题干",
      options: [
        { key: 'A', text: '甲' },
        { key: 'B', text: '乙' },
        { key: 'C', text: '丙' },
      ],
      answer: ['A', 'C'],
      category: '测试/多选',
      difficulty: 3,
    },
    { type: 'judge', stem: '遵义会议在贵州召开。', answer: false, category: '党史', difficulty: 2, source: '《中国共产党简史》' },
    {
      type: 'fill',
      stem: '答案含分隔符：____ 和 ____',
      answer: [
        ['a;b', 'c|d'],
        ['=x', 'e\\f', '全角；分号'],
      ],
      category: '测试',
      difficulty: 4,
    },
  ]
  const expected = tricky.map((q) => {
    const v = validateQuestion(q)
    if (!v.ok) throw new Error(v.errors.join())
    return v.value
  })

  it('round-trips export → read → parse exactly, with formula-like cells neutralised in the file', async () => {
    const buf = await writeQuestionsXlsx(tricky.map((q, i) => ({ ...q, id: i + 1 })))
    const rows = await readSpreadsheet(buf, 'export.xlsx')
    const r = parseQuestionRows(rows, 2)
    expect(r.errors).toEqual([])
    expect(r.items.map((i) => i.question)).toEqual(expected)

    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['题目', '说明'])
    const sheet = wb.worksheets[0]
    expect(sheet.getRow(1).values).toEqual([undefined, ...TEMPLATE_COLUMNS])
    expect(sheet.getCell('B2').value).toBe("'=1+1 等于几？")
    expect(sheet.getCell('C2').value).toBe("'-5")
    expect(sheet.getCell('B3').value).toBe("'-5 的绝对值是多少？")
  })

  it('ships a template whose examples are valid questions but marked, so that importing it as is adds nothing', async () => {
    const buf = await templateXlsx()
    const r = await parseQuestionFile(buf, '题目导入模板.xlsx')
    expect(r.errors).toEqual([])
    expect(r.items).toEqual([])
    // Unmarked, the same rows are three clean questions: the examples show a working format.
    const rows = await readSpreadsheet(buf, '题目导入模板.xlsx')
    expect(rows.map((row) => row['题型'])).toEqual(['示例·单选', '示例·多选', '示例·填空'])
    const unmarked = parseQuestionRows(
      rows.map((row) => ({ ...row, 题型: row['题型'].replace('示例·', '') })),
      2,
    )
    expect(unmarked.errors).toEqual([])
    expect(unmarked.items.map((i) => i.question.type)).toEqual(['single', 'multiple', 'fill'])
    expect(unmarked.items.every((i) => i.question.category.startsWith('党史/'))).toBe(true)
    // A real question typed below the examples is the only one imported.
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer)
    wb.worksheets[0].addRow(['判断', '遵义会议在贵州召开。', '', '', '', '', '', '', '正确', '', 2, '党史'])
    const filled = await parseQuestionFile(Buffer.from(await wb.xlsx.writeBuffer()), '题目导入模板.xlsx')
    expect(filled.errors).toEqual([])
    expect(filled.items).toEqual([
      { row: 5, question: { type: 'judge', stem: '遵义会议在贵州召开。', answer: true, difficulty: 2, category: '党史' } },
    ])
  })

  it('takes the cached result of formula cells and never evaluates them', async () => {
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('题目')
    ws.addRow([...TEMPLATE_COLUMNS])
    ws.addRow([
      '判断',
      { formula: 'CONCAT("遵义会议","在贵州召开。")', result: '遵义会议在贵州召开。' },
      '',
      '',
      '',
      '',
      '',
      '',
      '正确',
      '',
      { formula: '1+1', result: 2 },
      '党史',
    ])
    ws.addRow(['判断', { formula: 'A1&"x"' }, '', '', '', '', '', '', '正确', '', 3, '党史'])
    const r = await parseQuestionFile(Buffer.from(await wb.xlsx.writeBuffer()), 'f.xlsx')
    expect(r.items).toEqual([
      { row: 2, question: { type: 'judge', stem: '遵义会议在贵州召开。', answer: true, difficulty: 2, category: '党史' } },
    ])
    expect(r.errors).toEqual([{ row: 3, message: '题干不能为空' }])
  })

  it('reads csv with a UTF-8 BOM, quoted cells and a leading = as plain text', async () => {
    const csv =
      '\uFEFF题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,答案,解析,难度,分类,标签,出处\r\n' +
      '单选,"=SUM(1,2) 是公式吗？",是,否,,,,,B,"逗号, 和\n换行",2,测试,,\r\n' +
      '\r\n' +
      '判断,"中共一大在上海开幕。",,,,,,,错,,,党史,,\r\n'
    const r = await parseQuestionFile(Buffer.from(csv, 'utf8'), 'q.csv')
    expect(r.items.map((i) => i.row)).toEqual([2, 4])
    expect(r.items[0].question).toMatchObject({ stem: '=SUM(1,2) 是公式吗？', answer: 'B', explanation: '逗号, 和\n换行' })
    expect(r.items[1].question).toMatchObject({ type: 'judge', answer: false })
    // The same file without BOM reads the same.
    const again = await parseQuestionFile(Buffer.from(csv.slice(1), 'utf8'), 'q.csv')
    expect(again).toEqual(r)
  })

  it('rejects files that cannot be read with FileFormatError', async () => {
    await rejectsWithFileFormat(parseQuestionFile(Buffer.from('题型,题干\n单选,x'), 'renamed.xlsx'), /不是 zip/)
    await rejectsWithFileFormat(readSpreadsheet(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0, 0, 0]), 'old.xlsx'), /\.xls/)
    await rejectsWithFileFormat(parseQuestionFile(Buffer.from('PK\x03\x04garbage garbage garbage garbage'), 'broken.xlsx'))
    await rejectsWithFileFormat(parseQuestionFile(Buffer.from([0xd6, 0xd0, 0xb9, 0xfa, 0x2c, 0x0a]), 'gbk.csv'), /UTF-8/)
    await rejectsWithFileFormat(
      parseQuestionFile(Buffer.from('用户名,姓名,组织\nzhang,张三,一支部\n'), 'users.csv'),
      /缺少列：题型、题干、答案/,
    )
    await rejectsWithFileFormat(parseQuestionFile(Buffer.from(''), 'empty.csv'), /空/)
    await rejectsWithFileFormat(parseQuestionFile(Buffer.from('x'), 'q.docx'), /不支持的文件类型/)
  })

  it('rejects more than 20,000 data rows', async () => {
    const header = TEMPLATE_COLUMNS.join(',')
    const line = '判断,遵义会议在贵州召开。,,,,,,,对,,,党史,,'
    const ok = `${header}\n${Array(20_000).fill(line).join('\n')}\n`
    expect((await parseQuestionFile(Buffer.from(ok), 'ok.csv')).items).toHaveLength(20_000)
    await rejectsWithFileFormat(parseQuestionFile(Buffer.from(`${ok}${line}\n`), 'big.csv'), /20000/)

    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('题目')
    ws.addRow(['题型', '题干', '答案'])
    for (let i = 0; i < 20_001; i++) ws.addRow(['判断', `第${i}题`, '对'])
    await rejectsWithFileFormat(parseQuestionFile(Buffer.from(await wb.xlsx.writeBuffer()), 'big.xlsx'), /20000/)
  })

  it('refuses zip bombs before exceljs inflates them, even when the sizes in the zip lie', async () => {
    const content = Buffer.alloc(51 * 1024 * 1024, 0x20) // 51 MB of spaces deflates to ~50 KB
    const honest = makeZip('xl/worksheets/sheet1.xml', content, content.length)
    const liar = makeZip('xl/worksheets/sheet1.xml', content, 1000)
    expect(honest.length).toBeLessThan(200_000)
    await rejectsWithFileFormat(parseQuestionFile(honest, 'bomb.xlsx'), /50 MB/)
    await rejectsWithFileFormat(parseQuestionFile(liar, 'bomb.xlsx'), /50 MB/)
  })
})

/** A one-entry deflated zip whose central directory declares `declaredSize` as the uncompressed size. */
function makeZip(name: string, content: Buffer, declaredSize: number): Buffer {
  const data = deflateRawSync(content)
  const nameBuf = Buffer.from(name)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt16LE(8, 8)
  local.writeUInt32LE(data.length, 18)
  local.writeUInt32LE(declaredSize, 22)
  local.writeUInt16LE(nameBuf.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt16LE(8, 10)
  central.writeUInt32LE(data.length, 20)
  central.writeUInt32LE(declaredSize, 24)
  central.writeUInt16LE(nameBuf.length, 28)
  central.writeUInt32LE(0, 42)
  const cdOffset = local.length + nameBuf.length + data.length
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(central.length + nameBuf.length, 12)
  end.writeUInt32LE(cdOffset, 16)
  return Buffer.concat([local, nameBuf, data, central, nameBuf, end])
}

describe('GIFT', () => {
  it('imports the supported questions of the real Moodle export and reports the rest per item', () => {
    const r = parseGift(fixture('moodle-questions.gift.txt'))
    expect(r.errors).toEqual([
      { row: 1, message: '第 1 题（Q8）：不支持的题型：问答题（essay）' },
      { row: 2, message: '第 2 题（Moodle activities）：不支持的题型：匹配题（matching）' },
      { row: 5, message: '第 5 题（Q5）：不支持的题型：数值题（numerical）' },
    ])
    const byRow = Object.fromEntries(r.items.map((i) => [i.row, i.question]))
    expect(Object.keys(byRow).map(Number)).toEqual([3, 4, 6, 7, 8, 9])
    const category = '导入/GIFT'
    expect(byRow[3]).toEqual({
      type: 'single',
      stem: "What's between orange and green in the spectrum?",
      options: [
        { key: 'A', text: 'yellow' },
        { key: 'B', text: 'red' },
        { key: 'C', text: 'blue' },
      ],
      answer: 'A',
      category,
      difficulty: 3,
    })
    expect(byRow[4]).toMatchObject({
      type: 'multiple',
      answer: ['A', 'C'],
      options: [{ text: 'yellow' }, { text: 'red' }, { text: 'off-beige' }, { text: 'blue' }],
    })
    expect(byRow[6]).toMatchObject({ type: 'fill', stem: 'Which is the best animal?', answer: [['Frog', 'Cat']] })
    expect(byRow[7]).toMatchObject({
      type: 'judge',
      stem: '42 is the Absolute Answer to everything.',
      answer: false,
      explanation: "This is, of course, a Hitchiker's Guide to the Galaxy reference.",
    })
    expect(byRow[8]).toMatchObject({ type: 'judge', stem: 'TSL is blablabla.', answer: true })
    expect(byRow[9]).toMatchObject({ type: 'judge', answer: true })
  })

  it('handles categories, escapes, html, comments, missing-word and description items', () => {
    const gift = [
      '// a comment that is not a question',
      '$CATEGORY: $course$/top/党史//专题/长征',
      '',
      '::转折::[html]<p>遵义会议在 1935 年召开，比例为 1\\:1，符号 \\= \\~ \\# \\{ \\}。</p>{T}',
      '',
      '::无答案::这只是一段说明文字',
      '',
      '中共一大在 { =上海 ~北京 ~广州 } 开幕。',
      '',
      '::空::红军长征于____年到达陕北。{=1935 =%0%1936 =193*}',
      '',
      '$CATEGORY: $course$/top',
      '',
      '::q::太多正确答案 { =A =B ~C }',
    ].join('\n')
    const r = parseGift(gift)
    expect(r.items.map((i) => i.row)).toEqual([1, 3, 4])
    expect(r.items[0].question).toMatchObject({
      type: 'judge',
      stem: '遵义会议在 1935 年召开，比例为 1:1，符号 = ~ # { }。',
      answer: true,
      category: '党史／专题/长征',
    })
    expect(r.items[1].question).toMatchObject({ type: 'single', stem: '中共一大在 ____ 开幕。', answer: 'A' })
    expect(r.items[2].question).toMatchObject({ type: 'fill', stem: '红军长征于____年到达陕北。', answer: [['1935']] })
    expect(r.errors).toEqual([
      { row: 2, message: '第 2 题（无答案）：不支持的题型：说明（description，没有答案部分）' },
      { row: 5, message: '第 5 题（q）：单选题有多个 = 正确答案，无法导入' },
    ])
  })

  it('runs validation on GIFT items too', () => {
    const r = parseGift('::too many::Pick one {=a ~b ~c ~d ~e ~f ~g}\n\n::dup::Pick {=same ~Same}')
    expect(r.items).toEqual([])
    expect(r.errors.map((e) => e.row)).toEqual([1, 2])
    expect(r.errors[0].message).toMatch(/^第 1 题（too many）：选项须为 2–6 个/)
    expect(r.errors[1].message).toBe('第 2 题（dup）：选项 A 与 B 内容重复')
  })
})

describe('Aiken', () => {
  it('parses good questions with either option style', () => {
    const r = parseAiken(
      '遵义会议在哪一年召开？\nA. 1934年\nB. 1935年\nANSWER: B\n\n中共一大在哪里开幕？\n（多行题干）\nA) 上海\nB) 北京\nC) 广州\nANSWER: A\n',
    )
    expect(r.errors).toEqual([])
    expect(r.items).toHaveLength(2)
    expect(r.items[0]).toEqual({
      row: 1,
      question: {
        type: 'single',
        stem: '遵义会议在哪一年召开？',
        options: [
          { key: 'A', text: '1934年' },
          { key: 'B', text: '1935年' },
        ],
        answer: 'B',
        category: '导入/Aiken',
        difficulty: 3,
      },
    })
    expect(r.items[1].question).toMatchObject({ stem: '中共一大在哪里开幕？\n（多行题干）', answer: 'A' })
  })

  it('reports each broken question and keeps going', () => {
    const r = parseAiken(
      [
        '答案字母不存在？',
        'A. 是',
        'B. 否',
        'ANSWER: C',
        '',
        '没有 ANSWER 行',
        'A. 是',
        'B. 否',
        '',
        '好题目',
        'A. 是',
        'B. 否',
        'ANSWER: A',
        '',
        '字母跳号',
        'A. 一',
        'C. 三',
        'ANSWER: A',
      ].join('\n'),
    )
    expect(r.items.map((i) => i.row)).toEqual([3])
    expect(r.errors).toEqual([
      { row: 1, message: '第 1 题：答案 C 不在选项中' },
      { row: 2, message: '第 2 题：缺少 ANSWER 行（如 ANSWER: B）' },
      { row: 4, message: '第 4 题：选项字母顺序错误：应为 B，实为 C' },
    ])
  })
})

describe('JSON', () => {
  it('validates each element and reports its 1-based index', () => {
    const r = parseQuestionJson(
      JSON.stringify([
        { id: 7, ...single, bankId: 'dsxm-001' },
        { ...single, answer: 'D' },
        { ...single, type: 'essay' },
        { ...single, stem: '' },
        { ...single, difficulty: 0 },
        { type: 'fill', stem: '中共一大于____年召开。', answer: [['1921']], category: '党史' },
      ]),
    )
    expect(r.items.map((i) => i.row)).toEqual([1, 6])
    expect(r.items[0].question).toEqual({ ...single, difficulty: 3 }) // id and bankId dropped
    expect(r.errors.map((e) => e.row)).toEqual([2, 3, 4, 5])
    expect(r.errors[0].message).toBe('第 2 题：答案 D 不在选项中')
    expect(r.errors[3].message).toBe('第 5 题：难度须为 1–5 的整数')
  })

  it('throws FileFormatError for text that is not a JSON array', () => {
    expect(() => parseQuestionJson('[{')).toThrow(FileFormatError)
    expect(() => parseQuestionJson('{"a":1}')).toThrow(FileFormatError)
    expect(parseQuestionJson(JSON.stringify({ items: [single] })).items).toHaveLength(1)
  })
})

describe('parseQuestionFile dispatch', () => {
  it('tells GIFT from Aiken in .txt files', async () => {
    const gift = await parseQuestionFile(Buffer.from(fixture('moodle-questions.gift.txt')), 'moodle.txt')
    expect(gift.items).toHaveLength(6)
    const aiken = await parseQuestionFile(Buffer.from('问题？\nA. 是\nB. 否\nANSWER: A\n'), 'a.txt')
    expect(aiken.items[0].question.type).toBe('single')
    await rejectsWithFileFormat(parseQuestionFile(Buffer.from('just some notes'), 'notes.txt'), /GIFT 或 Aiken/)
    expect((await parseQuestionFile(Buffer.from('问题？\nA. 是\nB. 否\nANSWER: B\n'), 'x.aiken')).items).toHaveLength(1)
    expect((await parseQuestionFile(Buffer.from('问题？{T}'), 'x.gift')).items).toHaveLength(1)
    expect((await parseQuestionFile(Buffer.from(JSON.stringify([single])), 'x.json')).items).toHaveLength(1)
  })
})

describe('question bank', () => {
  it('catches every README rule on a deliberately broken bank', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-'))
    try {
      fs.writeFileSync(
        path.join(dir, 'a.yaml'),
        [
          'category: 党史/测试',
          'questions:',
          '  - id: ta-001',
          '    type: single',
          '    stem: 遵义会议在哪一年召开？',
          '    options: {A: 1934年, B: 1935年}',
          '    answer: B',
          '    explanation: 1935年1月。',
          '    source: 《简史》',
          '    difficulty: 2',
          '  - id: ta-002',
          '    type: judge',
          '    stem: 没有出处的题。',
          '    answer: true',
          '    explanation: 略。',
          '    difficulty: 2',
          '    explaination: 拼错的字段',
          '  - id: tb-003',
          '    type: fill',
          '    stem: 一个空____两个空____',
          '    answer: [["a"]]',
          '    explanation: 略。',
          '    source: 略',
          '    difficulty: 7',
        ].join('\n'),
      )
      fs.writeFileSync(
        path.join(dir, 'b.yaml'),
        [
          'category: 党史/测试',
          'questions:',
          '  - id: ta-001',
          '    type: single',
          '    stem: " 遵义会议在哪一年召开? "',
          '    options: {A: 1935年, B: 1934年}',
          '    answer: A',
          '    explanation: 同上。',
          '    source: 《简史》',
          '    difficulty: 3',
        ].join('\n'),
      )
      fs.writeFileSync(path.join(dir, 'c.yaml'), 'category: [oops\n')
      const bank = loadBankDir(dir)
      expect(bank.questions.map((q) => q.bankId)).toEqual(['ta-001', 'ta-001'])
      const errors = checkBank(bank)
      const has = (re: RegExp) =>
        expect(
          errors.some((e) => re.test(e)),
          `${re} in\n${errors.join('\n')}`,
        ).toBe(true)
      has(/^a\.yaml ta-002：缺少 source$/)
      has(/^a\.yaml ta-002：未知字段 explaination$/)
      has(/^a\.yaml tb-003：题干中有 2 个空/)
      has(/^a\.yaml tb-003：难度须为 1–5 的整数$/)
      has(/^a\.yaml：同一文件的 id 前缀应一致/)
      has(/^id ta-001 重复：a\.yaml 与 b\.yaml$/)
      has(/^b\.yaml ta-001：与 a\.yaml ta-001 题干和选项重复$/)
      has(/^c\.yaml：YAML 解析失败/)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it('the shipped bank passes every check', () => {
    const bank = loadBankDir(path.join(repoRoot, 'question-bank'))
    expect(checkBank(bank)).toEqual([])
    expect(bank.files.length).toBeGreaterThan(0)
  })

  it('the shipped bank is large enough to draw exams from: ≥ 750 questions, ≥ 80 of each type', () => {
    const bank = loadBankDir(path.join(repoRoot, 'question-bank'))
    expect(checkBankSize(bank)).toEqual([])
    expect(bank.questions.length).toBeGreaterThanOrEqual(750)
  })
})
