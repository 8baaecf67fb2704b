// The question spreadsheet template (public columns: 题型, 题干, 选项A…选项F, 答案, 解析, 难度,
// 分类, 标签, 出处): rows → questions on import, questions → .xlsx on export.
import ExcelJS from 'exceljs'
import { OPTION_KEYS, type QuestionInput, type QuestionType } from '../model.js'
import { toHalfWidth, validateQuestion } from './validate.js'
import type { ParseResult } from './types.js'
import { formulaErrorText } from '../../../lib/sheets/errors.js'

export { FileFormatError } from './types.js'
export { readSpreadsheet, readSpreadsheetTable, type SheetTable } from '../../../lib/sheets/table.js'

export const OPTION_COLUMNS = OPTION_KEYS.map((k) => `选项${k}`)
export const TEMPLATE_COLUMNS = ['题型', '题干', ...OPTION_COLUMNS, '答案', '解析', '难度', '分类', '标签', '出处'] as const
/** Without these a sheet is not a question sheet at all (e.g. the user template uploaded by mistake). */
export const REQUIRED_COLUMNS = ['题型', '题干', '答案'] as const

const TYPE_ALIASES: Record<string, QuestionType> = {
  单选: 'single',
  单选题: 'single',
  单项选择题: 'single',
  single: 'single',
  多选: 'multiple',
  多选题: 'multiple',
  多项选择题: 'multiple',
  multiple: 'multiple',
  判断: 'judge',
  判断题: 'judge',
  judge: 'judge',
  填空: 'fill',
  填空题: 'fill',
  fill: 'fill',
}
const TYPE_LABELS: Record<QuestionType, string> = { single: '单选', multiple: '多选', judge: '判断', fill: '填空' }

const JUDGE_ALIASES: Record<string, boolean> = {
  正确: true,
  对: true,
  '√': true,
  '✓': true,
  '✔': true,
  true: true,
  t: true,
  错误: false,
  错: false,
  '×': false,
  '✗': false,
  '✘': false,
  x: false,
  false: false,
  f: false,
}

// ---- formula-injection guard, shared by export and import so the two round-trip exactly ----

const DANGEROUS_FIRST = /^[=+\-@']/

/** A cell starting with = + - @ would be run as a formula by Excel/WPS; a leading ' keeps it text. */
export function neutralizeCell(s: string): string {
  // A value that already starts with ' is escaped too, so unneutralizeCell can always strip exactly one.
  return DANGEROUS_FIRST.test(s) ? `'${s}` : s
}

export function unneutralizeCell(s: string): string {
  return s.length > 1 && s[0] === "'" && DANGEROUS_FIRST.test(s.slice(1)) ? s.slice(1) : s
}

// ---- fill answers: ";" between blanks, "|" between alternatives, "\" escapes either ----

const FILL_SPECIAL = /[\\;；|｜]/g

/**
 * Splits on unescaped `seps`. Escapes of the separators being split on are resolved; other escapes
 * are kept as written so a second, inner split still sees them.
 */
function splitEscaped(s: string, seps: string, resolveAll: boolean): string[] {
  const parts: string[] = []
  let cur = ''
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (c === '\\' && i + 1 < s.length && '\\;；|｜'.includes(s[i + 1])) {
      const next = s[++i]
      cur += resolveAll || seps.includes(next) ? next : c + next
    } else if (seps.includes(c)) {
      parts.push(cur)
      cur = ''
    } else cur += c
  }
  parts.push(cur)
  return parts
}

export function formatFillAnswer(answer: string[][]): string {
  return answer.map((alts) => alts.map((a) => a.replace(FILL_SPECIAL, (c) => `\\${c}`)).join('|')).join(';')
}

export function parseFillAnswer(cell: string): string[][] {
  return splitEscaped(cell, ';；', false).map((blank) => splitEscaped(blank, '|｜', true))
}

// ---- import ----

/**
 * Turns spreadsheet records (keyed by header) into questions. `firstRowNumber` is the sheet row of
 * `rows[0]` (2 when row 1 is the header); blank rows are skipped but keep their numbers.
 * `cellErrors` (from the sheet reader) holds error cells such as #REF! by row index and header: such a
 * cell reads as '' in `rows`, so without it a broken formula would be reported as an empty field.
 */
export function parseQuestionRows(
  rows: Record<string, string>[],
  firstRowNumber = 2,
  cellErrors?: Map<number, Record<string, string>>,
): ParseResult {
  const result: ParseResult = { items: [], errors: [] }
  rows.forEach((rec, i) => {
    const row = firstRowNumber + i
    const get = (col: string) => unneutralizeCell((rec[col] ?? '').trim())
    const broken = TEMPLATE_COLUMNS.filter((c) => cellErrors?.get(i)?.[c])
    if (!broken.length && TEMPLATE_COLUMNS.every((c) => !get(c))) return
    // The template's worked examples: left in by mistake, they must not become real questions.
    if (EXAMPLE_MARK.test(get('题型'))) return
    // A row with an error cell is not read further: what the formula should have given is unknown.
    if (broken.length) {
      for (const c of broken) result.errors.push({ row, message: `${c}：${formulaErrorText(cellErrors!.get(i)![c])}` })
      return
    }

    const { candidate, errors } = rowToCandidate(get)
    if (candidate) {
      const v = validateQuestion(candidate)
      if (v.ok) {
        if (!errors.length) result.items.push({ row, question: v.value })
      } else errors.push(...v.errors)
    }
    for (const message of errors) result.errors.push({ row, message })
  })
  return result
}

function rowToCandidate(get: (col: string) => string): { candidate?: Record<string, unknown>; errors: string[] } {
  const errors: string[] = []
  const typeText = get('题型')
  const type = TYPE_ALIASES[typeText.toLowerCase()]
  if (!type) {
    errors.push(typeText ? `题型「${typeText}」无法识别，应为 单选/多选/判断/填空` : '题型不能为空')
    return { errors }
  }

  const optionTexts = OPTION_COLUMNS.map(get)
  const last = optionTexts.reduce((acc, t, i) => (t ? i : acc), -1)
  const gaps = optionTexts
    .slice(0, last + 1)
    .map((t, i) => (t ? '' : OPTION_KEYS[i]))
    .filter(Boolean)
  // A gap shifts every later letter, so the answer cannot be checked either: report the gap alone.
  if (gaps.length) return { errors: [`选项须从 A 起连续填写：选项${gaps.join('、')} 为空`] }
  const options = optionTexts.slice(0, last + 1).map((text, i) => ({ key: OPTION_KEYS[i], text }))

  const answerText = get('答案')
  let answer: unknown
  if (!answerText) errors.push('答案不能为空')
  else if (type === 'single' || type === 'multiple') {
    const letters = toHalfWidth(answerText)
      .toUpperCase()
      .replace(/[\s,，、;；]/g, '')
    if (!/^[A-Z]+$/.test(letters)) errors.push(`答案「${answerText}」无法识别，应为选项字母，如 B 或 ABD`)
    else if (type === 'single' && letters.length > 1) errors.push(`单选题只能有一个答案（现为 ${letters}）`)
    else answer = type === 'single' ? letters : letters.split('')
  } else if (type === 'judge') {
    answer = JUDGE_ALIASES[toHalfWidth(answerText).toLowerCase()]
    if (answer === undefined) errors.push(`判断题答案「${answerText}」无法识别，应为 正确/错误（或 对/错、√/×、true/false）`)
  } else {
    answer = parseFillAnswer(answerText)
  }
  if (answer === undefined && errors.length) return { errors }

  const tags = get('标签')
    .split(/[,，、]/)
    .map((t) => t.trim())
    .filter(Boolean)
  const candidate: Record<string, unknown> = {
    type,
    stem: get('题干'),
    answer,
    explanation: get('解析') || undefined,
    difficulty: get('难度') || undefined,
    category: get('分类'),
    tags: tags.length ? tags : undefined,
    source: get('出处') || undefined,
  }
  if (options.length) candidate.options = options
  return { candidate, errors }
}

// ---- export ----

/**
 * The template's sample rows carry this in front of their 题型 (「示例·单选」): the importer skips
 * such rows, so a template filled in below its examples imports only the real questions.
 */
export const EXAMPLE_PREFIX = '示例·'
const EXAMPLE_MARK = /^示例\s*[·:：.、-]?/

function questionToCells(q: QuestionInput, example = false): (string | number)[] {
  const byKey = new Map((q.options ?? []).map((o) => [o.key, o.text]))
  let answer: string
  if (q.type === 'judge') answer = q.answer ? '正确' : '错误'
  else if (q.type === 'fill' && Array.isArray(q.answer)) answer = formatFillAnswer(q.answer as string[][])
  else answer = Array.isArray(q.answer) ? (q.answer as string[]).join('') : String(q.answer)
  const text = [
    (example ? EXAMPLE_PREFIX : '') + TYPE_LABELS[q.type],
    q.stem,
    ...OPTION_KEYS.map((k) => byKey.get(k) ?? ''),
    answer,
    q.explanation ?? '',
  ].map(neutralizeCell)
  const rest = [q.category, (q.tags ?? []).join(','), q.source ?? ''].map(neutralizeCell)
  return [...text, q.difficulty ?? 3, ...rest]
}

const COLUMN_WIDTHS: Record<string, number> = { 题型: 8, 题干: 50, 答案: 12, 解析: 40, 难度: 6, 分类: 28, 标签: 16, 出处: 24 }

const HELP_ROWS: [string, string][] = [
  [
    '题型',
    '必填：单选、多选、判断、填空（也可写 单选题/single 等）。模板中题型以「示例·」开头的灰色行是填写示例，导入时跳过，可保留或删除',
  ],
  ['题干', '必填，不超过 2000 字。填空题用 ____（四个下划线）标出每个空'],
  ['选项A…选项F', '单选、多选必填 2–6 个，须从 A 起连续填写；判断、填空留空'],
  [
    '答案',
    '单选：一个字母，如 B；多选：字母连写，如 ABD（也可 A,B,D）；判断：正确/错误（或 对/错、√/×）；填空：各空用 ; 分隔，同一空的多个可接受答案用 | 分隔，如 1921年|1921',
  ],
  ['解析', '选填'],
  ['难度', '1（易）到 5（难）的整数，留空为 3'],
  ['分类', '必填，用 / 分隔层级，如 党史/新民主主义革命时期'],
  ['标签', '选填，多个用逗号或顿号分隔'],
  ['出处', '选填，如 《中国共产党简史》第一章'],
  ['说明', "以 = + - @ 开头的内容导出时会加前缀 '，以免被表格软件当作公式；导入时自动去掉"],
]

async function buildWorkbook(questions: QuestionInput[], examples = false): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('题目', { views: [{ state: 'frozen', ySplit: 1 }] })
  ws.columns = TEMPLATE_COLUMNS.map((h) => ({ header: h, key: h, width: COLUMN_WIDTHS[h] ?? 18 }))
  ws.getRow(1).font = { bold: true }
  for (const q of questions) {
    const row = ws.addRow(questionToCells(q, examples))
    if (examples) row.font = { italic: true, color: { argb: 'FF808080' } }
  }

  const help = wb.addWorksheet('说明')
  help.columns = [
    { header: '列', key: 'col', width: 14 },
    { header: '填写说明', key: 'desc', width: 100 },
  ]
  help.getRow(1).font = { bold: true }
  for (const [col, desc] of HELP_ROWS) help.addRow([col, desc])
  return Buffer.from(await wb.xlsx.writeBuffer())
}

/** Export in the import template, so an exported file can be edited and imported again. */
export async function writeQuestionsXlsx(questions: (QuestionInput & { id?: number })[]): Promise<Buffer> {
  return buildWorkbook(questions)
}

export const TEMPLATE_EXAMPLES: QuestionInput[] = [
  {
    type: 'single',
    stem: '1935年1月，中共中央政治局在贵州召开扩大会议，确立了毛泽东在党中央和红军的领导地位。这次会议在哪座城市召开？',
    options: [
      { key: 'A', text: '贵阳' },
      { key: 'B', text: '遵义' },
      { key: 'C', text: '瑞金' },
      { key: 'D', text: '延安' },
    ],
    answer: 'B',
    explanation: '遵义会议在长征途中召开，是党的历史上一个生死攸关的转折点。',
    difficulty: 2,
    category: '党史/新民主主义革命时期',
    tags: ['遵义会议', '长征'],
    source: '《中国共产党简史》',
  },
  {
    type: 'multiple',
    stem: '中国共产党第一次全国代表大会先后在哪些地方举行？',
    options: [
      { key: 'A', text: '上海' },
      { key: 'B', text: '北京' },
      { key: 'C', text: '浙江嘉兴南湖' },
      { key: 'D', text: '广州' },
    ],
    answer: ['A', 'C'],
    explanation: '会议在上海开幕，后因受到干扰，最后一天转到嘉兴南湖的一条游船上进行。',
    difficulty: 2,
    category: '党史/新民主主义革命时期',
    tags: ['建党'],
    source: '《中国共产党简史》',
  },
  {
    type: 'fill',
    stem: '中国共产党第一次全国代表大会于____召开。',
    answer: [['1921年', '1921']],
    explanation: '1921年7月，中共一大召开，宣告了中国共产党的成立。',
    difficulty: 1,
    category: '党史/新民主主义革命时期',
    tags: ['建党'],
    source: '《中国共产党简史》',
  },
]

/** The blank import template: header, three worked examples (marked 示例·, skipped on import) and the 说明 sheet. */
export async function templateXlsx(): Promise<Buffer> {
  return buildWorkbook(TEMPLATE_EXAMPLES, true)
}
