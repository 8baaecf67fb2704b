// Aiken (https://docs.moodle.org/en/Aiken_format): stem line(s), options `A. text` / `A) text`, then
// `ANSWER: B`. Each question is checked on its own, so a slip in one does not lose the others.
// Extension: `ANSWER: A,C` (several letters) makes a multiple-response question.
import { OPTION_KEYS, type QuestionOption } from '../model.js'
import { toHalfWidth, validateQuestion } from './validate.js'
import { FileFormatError, MAX_IMPORT_ROWS, type ParseResult } from './types.js'

export const AIKEN_DEFAULT_CATEGORY = '导入/Aiken'

const OPTION_LINE = /^([A-Za-z])\s*[.)．）、]\s*(.*)$/
const ANSWER_LINE = /^ANSWER\s*[:：]\s*(.*)$/i

interface Draft {
  stem: string[]
  options: QuestionOption[]
  errors: string[]
}

export function parseAiken(text: string, category = AIKEN_DEFAULT_CATEGORY): ParseResult {
  const result: ParseResult = { items: [], errors: [] }
  let index = 0
  let cur: Draft | null = null

  const finish = (answer: string | null) => {
    if (!cur) return
    const draft = cur
    cur = null
    index++
    if (index > MAX_IMPORT_ROWS) throw new FileFormatError(`文件超过 ${MAX_IMPORT_ROWS} 道题，请拆分后分批导入`)
    const errors = [...draft.errors]
    let candidate: Record<string, unknown> | undefined
    if (!draft.options.length) errors.push('缺少选项（应为 A. 选项内容）')
    else if (answer === null) errors.push('缺少 ANSWER 行（如 ANSWER: B）')
    else {
      const letters = toHalfWidth(answer)
        .toUpperCase()
        .replace(/[\s,，、]/g, '')
      if (!/^[A-Z]+$/.test(letters)) errors.push(`ANSWER「${answer}」无法识别，应为选项字母`)
      else {
        const multiple = letters.length > 1
        candidate = {
          type: multiple ? 'multiple' : 'single',
          stem: draft.stem.join('\n'),
          options: draft.options,
          answer: multiple ? letters.split('') : letters,
          category,
        }
      }
    }
    if (candidate && !errors.length) {
      const v = validateQuestion(candidate)
      if (v.ok) {
        result.items.push({ row: index, question: v.value })
        return
      }
      errors.push(...v.errors)
    }
    for (const e of errors) result.errors.push({ row: index, message: `第 ${index} 题：${e}` })
  }

  for (const raw of text.replace(/^\uFEFF/, '').split(/\r\n?|\n/)) {
    const line = raw.trim()
    if (!line) {
      // Aiken stems are one paragraph; a blank line ends the question whatever state it is in.
      finish(null)
      continue
    }
    const answer = ANSWER_LINE.exec(line)
    if (answer) {
      if (!cur) cur = { stem: [], options: [], errors: ['ANSWER 行前没有题干和选项'] }
      finish(answer[1].trim())
      continue
    }
    const opt = OPTION_LINE.exec(line)
    const expected = cur ? OPTION_KEYS[cur.options.length] : undefined
    if (cur && opt && (cur.options.length > 0 || opt[1].toUpperCase() === 'A')) {
      const key = opt[1].toUpperCase()
      if (key !== expected) cur.errors.push(`选项字母顺序错误：应为 ${expected ?? '（最多 6 个选项）'}，实为 ${key}`)
      cur.options.push({ key: expected ?? key, text: opt[2] })
      continue
    }
    if (cur && cur.options.length) finish(null) // text after options without ANSWER: previous question is incomplete
    if (!cur) cur = { stem: [], options: [], errors: [] }
    cur.stem.push(line)
  }
  finish(null)
  return result
}
