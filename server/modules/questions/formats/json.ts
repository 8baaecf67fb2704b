// JSON import: an array of questions in the API shape (type, stem, options, answer, explanation, category, tags, difficulty, source); `id` and other
// unknown fields are ignored, so our own JSON export imports again unchanged.
import { validateQuestion } from './validate.js'
import { FileFormatError, MAX_IMPORT_ROWS, type ParseResult } from './types.js'

export function parseQuestionJson(text: string): ParseResult {
  let data: unknown
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (err) {
    throw new FileFormatError(`JSON 格式错误：${(err as Error).message}`)
  }
  // Also accept the paged list shape `{items: [...]}` and `{questions: [...]}`.
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const o = data as Record<string, unknown>
    data = Array.isArray(o.items) ? o.items : Array.isArray(o.questions) ? o.questions : data
  }
  if (!Array.isArray(data)) throw new FileFormatError('JSON 文件须为题目数组')
  if (data.length > MAX_IMPORT_ROWS) throw new FileFormatError(`文件超过 ${MAX_IMPORT_ROWS} 道题，请拆分后分批导入`)

  const result: ParseResult = { items: [], errors: [] }
  data.forEach((q, i) => {
    const v = validateQuestion(q)
    if (v.ok) {
      // bankId belongs to the shipped bank's loader only; an upload must not claim a bank question.
      delete v.value.bankId
      result.items.push({ row: i + 1, question: v.value })
    } else for (const message of v.errors) result.errors.push({ row: i + 1, message: `第 ${i + 1} 题：${message}` })
  })
  return result
}
