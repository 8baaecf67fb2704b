// The question bank shipped in question-bank/*.yaml (format and rules: question-bank/README.md).
// Loading and checking are separate so the start-up loader can load, and `npm run bank:check`
// and the tests can also enforce the cross-file rules.
import fs from 'node:fs'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { QuestionInput } from '../model.js'
import { validateQuestion } from './validate.js'
import { checkBankRules, contentKey, type LocatedQuestion } from './bank-rules.js'

export { checkBankSize } from './bank-rules.js'

export type BankQuestion = QuestionInput & { bankId: string }

export interface BankFile {
  file: string
  category: string
  /** Every id written in the file, including those of questions that failed validation. */
  ids: string[]
}

export interface BankLoadResult {
  questions: BankQuestion[]
  /** zh-CN messages, each naming the file (and the question id when there is one). */
  errors: string[]
  files: BankFile[]
  /** `questionFiles[i]` is the file `questions[i]` came from (kept apart so questions stay plain QuestionInput). */
  questionFiles: string[]
}

const QUESTION_KEYS = new Set(['id', 'type', 'stem', 'options', 'answer', 'explanation', 'source', 'difficulty', 'tags', 'validUntil'])
const REQUIRED_KEYS = ['id', 'type', 'stem', 'answer', 'explanation', 'source', 'difficulty'] as const
const FILE_KEYS = new Set(['category', 'questions'])
/** `<file prefix>-<3 digits>`, e.g. dsxm-001. */
export const BANK_ID = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-(\d{3})$/

export function loadBankDir(dir: string): BankLoadResult {
  const result: BankLoadResult = { questions: [], errors: [], files: [], questionFiles: [] }
  const names = fs
    .readdirSync(dir)
    .filter((n) => /\.ya?ml$/i.test(n))
    .sort()
  for (const name of names) loadBankFile(name, fs.readFileSync(path.join(dir, name), 'utf8'), result)
  return result
}

/** Loads one file's text into `result` (exported for tests that need a bank without files). */
export function loadBankFile(file: string, text: string, result: BankLoadResult): void {
  const fail = (msg: string) => result.errors.push(`${file}：${msg}`)
  let doc: unknown
  try {
    doc = parseYaml(text)
  } catch (err) {
    fail(`YAML 解析失败：${(err as Error).message.split('\n')[0]}`)
    return
  }
  if (!isRecord(doc)) return void fail('顶层须为包含 category 和 questions 的对象')
  for (const k of Object.keys(doc)) if (!FILE_KEYS.has(k)) fail(`未知的顶层字段 ${k}`)
  const category = typeof doc.category === 'string' ? doc.category.trim() : ''
  if (!category) fail('缺少 category')
  if (!Array.isArray(doc.questions) || !doc.questions.length) return void fail('questions 须为非空列表')

  const entry: BankFile = { file, category, ids: [] }
  result.files.push(entry)
  doc.questions.forEach((raw: unknown, i: number) => {
    const id = isRecord(raw) && typeof raw.id === 'string' ? raw.id.trim() : ''
    const where = id ? `${file} ${id}` : `${file} 第 ${i + 1} 题`
    const errors: string[] = []
    if (!isRecord(raw)) errors.push('题目须为对象')
    else {
      if (id) entry.ids.push(id)
      for (const k of Object.keys(raw)) if (!QUESTION_KEYS.has(k)) errors.push(`未知字段 ${k}`)
      for (const k of REQUIRED_KEYS) if (raw[k] === undefined || raw[k] === null || raw[k] === '') errors.push(`缺少 ${k}`)
      if (id && !BANK_ID.test(id)) errors.push(`id 须为「文件前缀-三位数字」，如 dsxm-001`)
      if (raw.difficulty !== undefined && typeof raw.difficulty !== 'number') errors.push('difficulty 须为 1–5 的整数')
      if (raw.stem !== undefined && typeof raw.stem !== 'string') errors.push('stem 须为文本')
      const v = validateQuestion({ ...raw, category, bankId: id || undefined })
      if (!v.ok) errors.push(...v.errors)
      else if (!errors.length) {
        result.questions.push({ ...v.value, bankId: id })
        result.questionFiles.push(file)
      }
    }
    for (const e of errors) result.errors.push(`${where}：${e}`)
  })
}

/**
 * Every rule of question-bank/README.md except the bank's size (`checkBankSize`); returns all problems
 * (load errors included), empty when clean.
 */
export function checkBank(bank: BankLoadResult): string[] {
  return [...bank.errors, ...checkIds(bank), ...checkEachQuestion(bank), ...checkBankRules(locatedQuestions(bank))]
}

/** Ids are unique across the bank and share one prefix within a file. */
function checkIds(bank: BankLoadResult): string[] {
  const errors: string[] = []

  const seen = new Map<string, string>()
  for (const f of bank.files) {
    const prefixes = new Set(f.ids.map((id) => BANK_ID.exec(id)?.[1]).filter(Boolean))
    if (prefixes.size > 1) errors.push(`${f.file}：同一文件的 id 前缀应一致（现有 ${[...prefixes].join('、')}）`)
    for (const id of f.ids) {
      const other = seen.get(id)
      if (other) errors.push(`id ${id} 重复：${other} 与 ${f.file}`)
      else seen.set(id, f.file)
    }
  }
  return errors
}

function checkEachQuestion(bank: BankLoadResult): string[] {
  const errors: string[] = []
  // README: no two questions share a normalised stem together with the same options (type aside).
  const byContent = new Map<string, string>()
  for (const [i, q] of bank.questions.entries()) {
    const where = questionWhere(bank, i)
    if (!q.explanation?.trim()) errors.push(`${where}：缺少 explanation`)
    if (!q.source?.trim()) errors.push(`${where}：缺少 source`)
    const key = contentKey(q)
    const dup = byContent.get(key)
    if (dup) errors.push(`${where}：与 ${dup} 题干和选项重复`)
    else byContent.set(key, where)
  }
  return errors
}

function questionWhere(bank: BankLoadResult, i: number): string {
  return `${bank.questionFiles[i] ?? '?'} ${bank.questions[i].bankId}`
}

function locatedQuestions(bank: BankLoadResult): LocatedQuestion[] {
  return bank.questions.map((question, i) => ({ question, where: questionWhere(bank, i) }))
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
