// The single gate every question passes (API, importers, shipped bank): checks the rules of
// the public question shape (types, options A–F, answers per type, difficulty 1–5) and returns a clean, trimmed QuestionInput or zh-CN messages naming the field.
import { toHalfWidth } from '../../../lib/text.js'
import {
  FILL_BLANK,
  OPTION_KEYS,
  QUESTION_STATUSES,
  QUESTION_TYPES,
  type QuestionInput,
  type QuestionOption,
  type QuestionStatus,
  type QuestionType,
} from '../model.js'

export const MAX_STEM_LENGTH = 2000
export const MAX_EXPLANATION_LENGTH = 5000
export const MAX_SOURCE_LENGTH = 500
export const DEFAULT_DIFFICULTY = 3

export type ValidationResult = { ok: true; value: QuestionInput } | { ok: false; errors: string[] }

const TYPE_NAMES: Record<QuestionType, string> = { single: '单选题', multiple: '多选题', judge: '判断题', fill: '填空题' }

/** Authors type blanks of any length; store them as exactly FILL_BLANK so the player can split on it. */
const BLANK_RUN = /_{4,}/g

export function validateQuestion(input: unknown): ValidationResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['题目须为对象'] }
  }
  const src = input as Record<string, unknown>
  const errors: string[] = []

  const type = typeof src.type === 'string' ? (src.type.trim() as QuestionType) : undefined
  if (!type || !QUESTION_TYPES.includes(type)) {
    errors.push(`题型须为 ${QUESTION_TYPES.join('/')} 之一`)
    return { ok: false, errors }
  }
  const typeName = TYPE_NAMES[type]

  let stem = typeof src.stem === 'string' ? src.stem.trim() : ''
  if (src.stem !== undefined && src.stem !== null && typeof src.stem !== 'string') errors.push('题干须为文本')
  else if (!stem) errors.push('题干不能为空')
  else if (stem.length > MAX_STEM_LENGTH) errors.push(`题干不能超过 ${MAX_STEM_LENGTH} 字`)
  if (type === 'fill') stem = stem.replace(BLANK_RUN, FILL_BLANK)

  const value: QuestionInput = { type, stem, answer: '', category: '' }

  if (type === 'single' || type === 'multiple') {
    const options = checkOptions(src.options, errors)
    if (options) value.options = options
    const keys = new Set((options ?? []).map((o) => o.key))
    const answer = type === 'single' ? checkSingleAnswer(src.answer, keys, errors) : checkMultipleAnswer(src.answer, keys, errors)
    if (answer !== undefined) value.answer = answer
  } else {
    if (hasOptions(src.options)) errors.push(`${typeName}不应有选项`)
    if (type === 'judge') {
      if (typeof src.answer === 'boolean') value.answer = src.answer
      else errors.push('判断题答案须为 true/false')
    } else {
      const answer = checkFillAnswer(src.answer, stem, errors)
      if (answer) value.answer = answer
    }
  }

  const category = checkCategory(src.category, errors)
  if (category) value.category = category

  value.difficulty = checkDifficulty(src.difficulty, errors)

  const tags = checkTags(src.tags, errors)
  if (tags && tags.length) value.tags = tags

  const explanation = optionalText(src.explanation, '解析', MAX_EXPLANATION_LENGTH, errors)
  if (explanation) value.explanation = explanation
  const source = optionalText(src.source, '出处', MAX_SOURCE_LENGTH, errors)
  if (source) value.source = source

  if (src.status !== undefined && src.status !== null) {
    if (QUESTION_STATUSES.includes(src.status as QuestionStatus)) value.status = src.status as QuestionStatus
    else errors.push(`状态须为 ${QUESTION_STATUSES.join('/')} 之一`)
  }
  if (src.validUntil !== undefined && src.validUntil !== null && src.validUntil !== '') {
    const d = checkDate(src.validUntil)
    if (d) value.validUntil = d
    else errors.push('有效期须为 YYYY-MM-DD 格式的日期')
  }
  if (typeof src.bankId === 'string' && src.bankId.trim()) value.bankId = src.bankId.trim()

  return errors.length ? { ok: false, errors } : { ok: true, value }
}

function hasOptions(v: unknown): boolean {
  if (v === undefined || v === null) return false
  if (Array.isArray(v)) return v.length > 0
  return typeof v === 'object' ? Object.keys(v).length > 0 : true
}

/** Accepts `[{key, text}]` (the API shape) or `{A: text}` (the bank's YAML shape). */
function checkOptions(v: unknown, errors: string[]): QuestionOption[] | undefined {
  let list: { key: unknown; text: unknown }[]
  if (Array.isArray(v))
    list = v.map((o) =>
      typeof o === 'object' && o !== null ? (o as { key: unknown; text: unknown }) : { key: undefined, text: undefined },
    )
  else if (typeof v === 'object' && v !== null) list = Object.entries(v).map(([key, text]) => ({ key, text }))
  else {
    errors.push('选项须为 2–6 个')
    return undefined
  }
  if (list.length < 2 || list.length > OPTION_KEYS.length) {
    errors.push(`选项须为 2–6 个（现有 ${list.length} 个）`)
    return undefined
  }
  const out: QuestionOption[] = []
  const seen = new Map<string, string>()
  list.forEach((o, i) => {
    const expected = OPTION_KEYS[i]
    const key = typeof o.key === 'string' ? o.key.trim().toUpperCase() : ''
    if (key !== expected) errors.push(`选项字母须从 A 起依次排列：第 ${i + 1} 个选项应为 ${expected}`)
    const text = typeof o.text === 'string' ? o.text.trim() : typeof o.text === 'number' ? String(o.text) : ''
    if (!text) errors.push(`选项 ${expected} 内容不能为空`)
    else {
      const norm = normalizeStem(text)
      const dup = seen.get(norm)
      if (dup) errors.push(`选项 ${dup} 与 ${expected} 内容重复`)
      else seen.set(norm, expected)
    }
    out.push({ key: expected, text })
  })
  return out
}

function checkSingleAnswer(v: unknown, keys: Set<string>, errors: string[]): string | undefined {
  const letter = typeof v === 'string' ? v.trim().toUpperCase() : ''
  if (!/^[A-Z]$/.test(letter)) {
    errors.push('单选题答案须为一个选项字母')
    return undefined
  }
  if (keys.size && !keys.has(letter)) {
    errors.push(`答案 ${letter} 不在选项中`)
    return undefined
  }
  return letter
}

function checkMultipleAnswer(v: unknown, keys: Set<string>, errors: string[]): string[] | undefined {
  const raw = Array.isArray(v) ? v : typeof v === 'string' ? v.replace(/[\s,，、]/g, '').split('') : null
  if (!raw || raw.some((x) => typeof x !== 'string' || !/^[A-Z]$/i.test(x.trim()))) {
    errors.push('多选题答案须为选项字母列表，如 ["A","C"]')
    return undefined
  }
  const letters = [...new Set(raw.map((x: string) => x.trim().toUpperCase()))].sort()
  const missing = keys.size ? letters.filter((l) => !keys.has(l)) : []
  if (missing.length) errors.push(`答案 ${missing.join('、')} 不在选项中`)
  if (letters.length < 2) errors.push('多选题答案须至少包含 2 个不同选项')
  return missing.length || letters.length < 2 ? undefined : letters
}

function checkFillAnswer(v: unknown, stem: string, errors: string[]): string[][] | undefined {
  if (!Array.isArray(v) || v.length === 0 || v.some((b) => !Array.isArray(b))) {
    errors.push('填空题答案须为每空一组可接受答案，如 [["1921","1921年"]]')
    return undefined
  }
  let bad = false
  const blanks = (v as unknown[][]).map((alts, i) => {
    const clean = [...new Set(alts.map((a) => (typeof a === 'string' ? a.trim() : typeof a === 'number' ? String(a) : '')).filter(Boolean))]
    if (!clean.length) {
      errors.push(`填空题第 ${i + 1} 空至少需要一个非空答案`)
      bad = true
    }
    return clean
  })
  const markers = stem.split(FILL_BLANK).length - 1
  if (markers > 0 && markers !== blanks.length) {
    errors.push(`题干中有 ${markers} 个空（${FILL_BLANK}），答案却有 ${blanks.length} 组`)
    bad = true
  }
  return bad ? undefined : blanks
}

function checkCategory(v: unknown, errors: string[]): string | undefined {
  if (typeof v !== 'string' || !v.trim()) {
    errors.push('分类不能为空')
    return undefined
  }
  const parts = v.split('/').map((s) => s.trim())
  if (parts.some((p) => !p)) {
    errors.push(`分类「${v.trim()}」中有空的层级`)
    return undefined
  }
  return parts.join('/')
}

function checkDifficulty(v: unknown, errors: string[]): number {
  if (v === undefined || v === null || v === '') return DEFAULT_DIFFICULTY
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN
  if (!Number.isInteger(n) || n < 1 || n > 5) {
    errors.push('难度须为 1–5 的整数')
    return DEFAULT_DIFFICULTY
  }
  return n
}

function checkTags(v: unknown, errors: string[]): string[] | undefined {
  if (v === undefined || v === null) return undefined
  if (!Array.isArray(v) || v.some((t) => typeof t !== 'string' && typeof t !== 'number')) {
    errors.push('标签须为字符串列表')
    return undefined
  }
  return [...new Set(v.map((t) => String(t).trim()).filter(Boolean))]
}

function optionalText(v: unknown, field: string, max: number, errors: string[]): string | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') {
    errors.push(`${field}须为文本`)
    return undefined
  }
  const t = v.trim()
  if (t.length > max) errors.push(`${field}不能超过 ${max} 字`)
  return t || undefined
}

function checkDate(v: unknown): string | undefined {
  const s = v instanceof Date ? v.toISOString().slice(0, 10) : typeof v === 'string' ? v.trim() : ''
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined
  const d = new Date(`${s}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s ? s : undefined
}

// ---- normalisation (duplicate detection and fill-in grading) ----

/** Full-width to half-width text now lives in lib/text.ts; re-exported for the format readers. */
export { toHalfWidth }

// Chinese punctuation without a full-width ASCII twin; the rest is covered by toHalfWidth.
const PUNCT: Record<string, string> = { '。': '.', '“': '"', '”': '"', '‘': "'", '’': "'", '、': ',' }

/** The comparable form of a stem or option: no whitespace, half-width, one punctuation set, lower case. */
export function normalizeStem(text: string): string {
  return toHalfWidth(text)
    .replace(/[。“”‘’、]/g, (c) => PUNCT[c])
    .replace(/\s+/g, '')
    .toLowerCase()
}

/** Two questions with the same fingerprint are duplicates, whatever their spacing, punctuation width or option order. */
export function questionFingerprint(q: Pick<QuestionInput, 'type' | 'stem' | 'options'>): string {
  const options = (q.options ?? []).map((o) => normalizeStem(o.text)).sort()
  return [q.type, normalizeStem(q.stem), ...options].join('\u0001')
}

/**
 * How a typed fill-in answer and an accepted alternative are compared: trimmed, half-width, lower case,
 * one space for any run of whitespace. An answer that is wholly a numeral, optionally followed by one
 * 年/月/日, becomes its Arabic value without the suffix, so "一九七〇年", "1970" and "1970年" grade
 * alike. Anything else is left as it is: "三线" and "十八大" are not numbers.
 */
export function normalizeFillAnswer(s: string): string {
  const text = toHalfWidth(s).trim().toLowerCase().replace(/\s+/g, ' ')
  const numeral = NUMERAL_WITH_DATE_SUFFIX.exec(text)?.[1]
  const value = numeral === undefined ? null : parseNumeral(numeral)
  return value ?? text
}

/** The whole answer: a numeral, then at most one date suffix (a space before it is tolerated). */
const NUMERAL_WITH_DATE_SUFFIX = /^(.+?) ?[年月日]?$/

/** Arabic digits (leading zeros dropped), a digit-by-digit Chinese form or a positional one; null if none fits. */
export function parseNumeral(text: string): string | null {
  if (/^\d+$/.test(text)) return text.replace(/^0+(?=\d)/, '')
  return parseDigitByDigit(text) ?? parsePositional(text)
}

const CHINESE_DIGITS: Record<string, number> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
}

/**
 * Years are written digit by digit: 一九七〇, 二零三五, and by hand also 一九七0 or 一九七o (letter o for
 * zero). At least one Chinese digit must be present, so a lone "o" stays a letter. 两 is never used this way.
 */
function parseDigitByDigit(text: string): string | null {
  if (!/^[〇零一二三四五六七八九0-9o]+$/.test(text) || !/[〇零一二三四五六七八九]/.test(text)) return null
  const digits = [...text].map((c) => (c === 'o' ? '0' : c in CHINESE_DIGITS ? String(CHINESE_DIGITS[c]) : c)).join('')
  return digits.replace(/^0+(?=\d)/, '')
}

const SMALL_UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 }

/**
 * Positional numerals: 十五, 二十一, 一百零八, 两百, 三千五 (= 3500), 一万零五, 十万, 三亿. 万 groups may
 * hold up to 9999 and 亿 groups up to 9999, which keeps every value an exact JavaScript number.
 */
function parsePositional(text: string): string | null {
  const value = parseWithBigUnit(text, '亿', 1e8, parseUpToWan)
  return value === null ? null : String(value)
}

function parseUpToWan(text: string): number | null {
  return parseWithBigUnit(text, '万', 1e4, parseSection)
}

/** `<high><unit><low>`: high counted in `unit`s, low a smaller numeral, perhaps after 零 or as a bare digit (一万五 = 15000). */
function parseWithBigUnit(text: string, unitChar: string, unit: number, parseLower: (t: string) => number | null): number | null {
  const at = text.indexOf(unitChar)
  if (at < 0) return parseLower(text)
  const high = parseSection(text.slice(0, at))
  if (!high) return null
  const rest = text.slice(at + 1)
  if (!rest) return high * unit
  const bareDigit = rest.length === 1 ? CHINESE_DIGITS[rest] : undefined
  if (bareDigit !== undefined) return bareDigit ? high * unit + (bareDigit * unit) / 10 : null
  const low = /^[〇零]/.test(rest) ? parseLower(rest.slice(1)) : parseLower(rest)
  return low && low < unit ? high * unit + low : null
}

/**
 * Below 10000 with 千/百/十: each unit once, largest first, a digit before each (十 alone may open: 十五);
 * 零 or 〇 marks a skipped place (一百零八); a bare final digit after 百 or 千 counts one place lower
 * (两百五 = 250), as speakers mean it.
 */
function parseSection(text: string): number | null {
  const chars = [...text]
  if (!chars.length) return null
  let total = 0
  let pending: number | null = null
  let lastUnit = Infinity
  let zeroSinceUnit = false
  for (const [i, c] of chars.entries()) {
    const unit = SMALL_UNITS[c]
    if (unit !== undefined) {
      const digit = pending ?? (i === 0 && unit === 10 ? 1 : null)
      if (digit === null || unit >= lastUnit) return null
      total += digit * unit
      pending = null
      lastUnit = unit
      zeroSinceUnit = false
      continue
    }
    const digit = CHINESE_DIGITS[c]
    if (digit === undefined || pending !== null) return null
    if (digit !== 0) pending = digit
    else if (i === 0 || i === chars.length - 1 || zeroSinceUnit) return null
    else zeroSinceUnit = true
  }
  if (pending === null) return total
  const bareAfterHundreds = lastUnit !== Infinity && lastUnit >= 100 && !zeroSinceUnit
  return total + (bareAfterHundreds ? (pending * lastUnit) / 10 : pending)
}
