// Moodle GIFT (https://docs.moodle.org/en/GIFT_format). We import what maps onto our four types and
// report every other construct per question, so one essay in a 300-question export does not block the rest.
import { OPTION_KEYS } from '../model.js'
import { validateQuestion } from './validate.js'
import { MAX_IMPORT_ROWS, FileFormatError, type ParseResult } from './types.js'
import { stripHtml } from './html.js'

export const GIFT_DEFAULT_CATEGORY = '导入/GIFT'

// Escaped specials become private-use characters while we split on the real ones, then go back.
const ESCAPABLE = '\\=~#{}:n'
const ESC_BASE = 0xe000
const escape = (s: string) => s.replace(/\\([\\=~#{}:n])/g, (_, c: string) => String.fromCharCode(ESC_BASE + ESCAPABLE.indexOf(c)))
const unescape = (s: string) =>
  s.replace(/[\uE000-\uE008]/g, (c) => {
    const ch = ESCAPABLE[c.charCodeAt(0) - ESC_BASE]
    return ch === 'n' ? '\n' : ch
  })

const FORMAT_PREFIX = /^\s*\[(html|plain|markdown|moodle)\]/i

/** Text as stored: escapes resolved, format marker and HTML removed, trimmed. */
function cleanText(s: string): string {
  const m = FORMAT_PREFIX.exec(s)
  return stripHtml(unescape(m ? s.slice(m[0].length) : s)).trim()
}

class Unsupported extends Error {}

export function parseGift(text: string): ParseResult {
  const result: ParseResult = { items: [], errors: [] }
  let category = GIFT_DEFAULT_CATEGORY
  let index = 0

  for (const block of splitBlocks(text)) {
    // `$CATEGORY:` lines set the category for every following question.
    const lines: string[] = []
    for (const line of block) {
      const m = /^\s*\$CATEGORY:\s*(.*)$/.exec(line)
      if (m) category = mapCategory(m[1])
      else lines.push(line)
    }
    if (!lines.length) continue
    index++
    if (index > MAX_IMPORT_ROWS) throw new FileFormatError(`文件超过 ${MAX_IMPORT_ROWS} 道题，请拆分后分批导入`)

    const escaped = escape(lines.join('\n'))
    const title = /^\s*::([\s\S]*?)::/.exec(escaped)
    const label = title ? `第 ${index} 题（${cleanText(title[1])}）` : `第 ${index} 题`
    try {
      const candidate = parseQuestion(title ? escaped.slice(title[0].length) : escaped, category)
      const v = validateQuestion(candidate)
      if (v.ok) result.items.push({ row: index, question: v.value })
      else for (const e of v.errors) result.errors.push({ row: index, message: `${label}：${e}` })
    } catch (err) {
      if (!(err instanceof Unsupported)) throw err
      result.errors.push({ row: index, message: `${label}：${err.message}` })
    }
  }
  return result
}

/** Questions are separated by blank lines; `//` lines are comments and do not separate. */
function splitBlocks(text: string): string[][] {
  const blocks: string[][] = []
  let cur: string[] = []
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n?|\n/)) {
    if (/^\s*\/\//.test(line)) continue
    if (!line.trim()) {
      if (cur.length) blocks.push(cur)
      cur = []
    } else cur.push(line)
  }
  if (cur.length) blocks.push(cur)
  return blocks
}

/** `$course$/top/党史/长征` → `党史/长征`; Moodle writes a literal `/` in a name as `//`. */
function mapCategory(raw: string): string {
  const parts = raw
    .trim()
    .replace(/\/\//g, '\uE0FF')
    .split('/')
    .map((p) => p.replace(/\uE0FF/g, '／').trim())
    .filter((p) => p && !/^\$\w+\$$/.test(p))
  if (parts[0]?.toLowerCase() === 'top') parts.shift()
  return parts.length ? parts.join('/') : GIFT_DEFAULT_CATEGORY
}

function parseQuestion(body: string, category: string): Record<string, unknown> {
  const open = body.indexOf('{')
  if (open < 0) throw new Unsupported('不支持的题型：说明（description，没有答案部分）')
  const close = body.indexOf('}', open)
  if (close < 0) throw new Unsupported('答案部分缺少 }')

  const before = body.slice(0, open)
  // Moodle's own fixtures leave `";` after some blocks; only real text after } makes a "missing word" item.
  const after = body.slice(close + 1).replace(/^[\s";]*$/, '')
  let answerText = body.slice(open + 1, close)

  let explanation: string | undefined
  const general = answerText.indexOf('####')
  if (general >= 0) {
    explanation = cleanText(answerText.slice(general + 4))
    answerText = answerText.slice(0, general)
  }
  const trimmed = answerText.trim()
  const base = { category, explanation }
  const stemWithBlank = () => cleanText(before) + (after.trim() ? ` ____ ${cleanText(after)}` : '')
  const plainStem = () => [cleanText(before), cleanText(after)].filter(Boolean).join(' ')

  if (!trimmed) throw new Unsupported('不支持的题型：问答题（essay）')
  if (trimmed.startsWith('#')) throw new Unsupported('不支持的题型：数值题（numerical）')

  const tf = /^(T|F|TRUE|FALSE)$/i.exec(trimmed.split('#')[0].trim())
  if (tf) return { ...base, type: 'judge', stem: plainStem(), answer: tf[1].toUpperCase().startsWith('T') }

  const answers = splitAnswers(trimmed)
  if (answers.some((a) => a.text.includes('->'))) throw new Unsupported('不支持的题型：匹配题（matching）')

  if (answers.some((a) => a.marker === '~')) {
    const equals = answers.filter((a) => a.marker === '=')
    // `=x ~y ~z` names the right answer; without `=` the weights decide (positive weight = correct).
    const correct = equals.length ? equals : answers.filter((a) => (a.weight ?? 0) > 0)
    if (!correct.length) throw new Unsupported('选择题没有正确答案')
    if (equals.length > 1) throw new Unsupported('单选题有多个 = 正确答案，无法导入')
    const keys = correct.map((a) => OPTION_KEYS[answers.indexOf(a)] ?? '?')
    const options = answers.map((a, i) => ({ key: OPTION_KEYS[i] ?? `#${i + 1}`, text: cleanText(a.text) }))
    return keys.length === 1
      ? { ...base, type: 'single', stem: stemWithBlank(), options, answer: keys[0] }
      : { ...base, type: 'multiple', stem: stemWithBlank(), options, answer: keys }
  }

  // Only `=` answers: short answer → a fill-in with one blank. A zero (or negative) weight marks a
  // wrong answer, and `*` is a Moodle wildcard we cannot grade, so both are dropped.
  const accepted = answers
    .filter((a) => (a.weight === undefined || a.weight > 0) && !a.text.includes('*'))
    .map((a) => cleanText(a.text))
    .filter(Boolean)
  if (!accepted.length) throw new Unsupported('简答题没有可用的标准答案（通配符 * 不支持）')
  return { ...base, type: 'fill', stem: stemWithBlank(), answer: [accepted] }
}

interface GiftAnswer {
  marker: '=' | '~'
  weight?: number
  text: string
}

/** `=a#fb ~%50%b` → answers with per-answer feedback (`#…`) dropped. */
function splitAnswers(s: string): GiftAnswer[] {
  const lead = s.search(/[=~]/)
  if (lead < 0 || s.slice(0, lead).trim()) throw new Unsupported(`无法识别的答案格式：{${cleanText(s)}}`)
  const out: GiftAnswer[] = []
  for (const m of s.slice(lead).matchAll(/([=~])([^=~]*)/g)) {
    let text = m[2]
    let weight: number | undefined
    const w = /^\s*%(-?\d+(?:\.\d+)?)%/.exec(text)
    if (w) {
      weight = Number(w[1])
      text = text.slice(w[0].length)
    }
    const hash = text.indexOf('#')
    if (hash >= 0) text = text.slice(0, hash)
    out.push({ marker: m[1] as '=' | '~', weight, text })
  }
  return out
}
