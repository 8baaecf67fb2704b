// One entry point for the import route: pick the reader by file name, answer in one shape.
import { readSpreadsheetTable, extension } from '../../../lib/sheets/table.js'
import { parseQuestionRows, REQUIRED_COLUMNS } from './spreadsheet.js'
import { parseGift } from './gift.js'
import { parseAiken } from './aiken.js'
import { parseQuestionJson } from './json.js'
import { FileFormatError, type ParseResult } from './types.js'

export * from './types.js'
export { validateQuestion, normalizeStem, questionFingerprint, normalizeFillAnswer } from './validate.js'
export { writeQuestionsXlsx, templateXlsx, parseQuestionRows, readSpreadsheet, TEMPLATE_COLUMNS } from './spreadsheet.js'
export { parseGift, parseAiken, parseQuestionJson }

export const SUPPORTED_EXTENSIONS = ['xlsx', 'csv', 'json', 'gift', 'aiken', 'txt'] as const

export async function parseQuestionFile(buffer: Buffer, filename: string): Promise<ParseResult> {
  const ext = extension(filename)
  if (ext === 'xlsx' || ext === 'csv' || ext === 'xls') {
    const { headers, rows, cellErrors } = await readSpreadsheetTable(buffer, filename)
    const missing = REQUIRED_COLUMNS.filter((c) => !headers.includes(c))
    if (missing.length) {
      throw new FileFormatError(`表头缺少列：${missing.join('、')}。请使用题目导入模板（第 1 行为表头）`)
    }
    return parseQuestionRows(rows, 2, cellErrors)
  }
  if (ext === 'json') return parseQuestionJson(decodeText(buffer))
  if (ext === 'gift') return parseGift(decodeText(buffer))
  if (ext === 'aiken') return parseAiken(decodeText(buffer))
  if (ext === 'txt') {
    const text = decodeText(buffer)
    const kind = sniffText(text)
    if (kind === 'gift') return parseGift(text)
    if (kind === 'aiken') return parseAiken(text)
    throw new FileFormatError('无法识别的文本格式：.txt 文件须为 GIFT 或 Aiken 格式')
  }
  throw new FileFormatError(`不支持的文件类型：${filename}（支持 .xlsx、.csv、.json、.gift、.aiken、.txt）`)
}

/** Aiken has `ANSWER:` lines; GIFT has `{…}` answer blocks. Whichever shows more wins. */
export function sniffText(text: string): 'gift' | 'aiken' | null {
  const aiken = (text.match(/^\s*ANSWER\s*[:：]/gim) ?? []).length
  const gift = (text.match(/(?<!\\)\{[^}]*(?<!\\)\}/g) ?? []).length
  if (!aiken && !gift) return null
  return aiken >= gift ? 'aiken' : 'gift'
}

function decodeText(buffer: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer)
  } catch {
    throw new FileFormatError('文本文件不是 UTF-8 编码，请另存为 UTF-8 后再上传')
  }
}
