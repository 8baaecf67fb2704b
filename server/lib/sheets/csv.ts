// Reads a UTF-8 .csv (comma- or tab-separated) into one sheet's Grid under the same limits as an .xlsx.
// Records are handed to GridBuilder one by one and never collected by csv-parse, so a huge file
// stops at the first limit it crosses instead of being parsed whole first.
import { isUtf8 } from 'node:buffer'
import { CsvError, parse } from 'csv-parse/sync'
import { FileFormatError } from './errors.js'
import { GridBuilder, SheetBudget, type SheetGrid } from './grid.js'
import { MAX_CELL_CHARS, MAX_CSV_FIELDS, MAX_SHEET_COLUMNS } from './limits.js'
import { MAX_UNCOMPRESSED_BYTES } from './zip.js'

/**
 * A record may not hold more than a full row of full cells. csv-parse counts the field being read in
 * bytes, so CJK text (3 bytes a character) needs the factor; the exact per-cell check is GridBuilder's.
 */
const MAX_RECORD_BYTES = MAX_SHEET_COLUMNS * MAX_CELL_CHARS * 3

const UTF8_BOM = [0xef, 0xbb, 0xbf]

export function readCsvGrid(buffer: Buffer): SheetGrid {
  if (buffer.length > MAX_UNCOMPRESSED_BYTES) throw new FileFormatError('CSV 文件超过 50 MB，拒绝处理')
  // A GBK file (Excel's "CSV (逗号分隔)" on Chinese Windows) must not turn into mojibake silently.
  if (!isUtf8(buffer)) {
    throw new FileFormatError('CSV 文件不是 UTF-8 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或直接上传 .xlsx')
  }
  const delimiter = detectDelimiter(buffer)
  assertFieldCount(buffer, delimiter)
  const budget = new SheetBudget()
  const grid = new GridBuilder(budget)
  let records = 0
  try {
    // Cells are plain strings: nothing is cast, so "=1+1" stays text.
    parse(buffer, {
      bom: true,
      delimiter,
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_BYTES,
      on_record: (record: string[]) => {
        records++
        budget.countRowElement()
        record.forEach((text, i) => grid.set(records, i + 1, text))
        return null // keep nothing in csv-parse: the grid holds what is needed
      },
    })
  } catch (err) {
    if (err instanceof FileFormatError) throw err
    if (err instanceof CsvError && err.code === 'CSV_MAX_RECORD_SIZE') {
      throw new FileFormatError(
        `CSV 第 ${records + 1} 行超过 ${MAX_RECORD_BYTES / 1000} KB（单元格不超过 ${MAX_CELL_CHARS} 字）：请检查引号是否成对`,
      )
    }
    throw new FileFormatError(`CSV 格式错误：${(err as Error).message}`)
  }
  return grid.build()
}

/** Tab-separated when the first line has tabs and no commas (pasted from Excel), else comma. */
function detectDelimiter(buffer: Buffer): string {
  const start = UTF8_BOM.every((b, i) => buffer[i] === b) ? 3 : 0
  const newline = buffer.indexOf(0x0a, start)
  const firstLine = buffer.toString('utf8', start, newline < 0 ? buffer.length : newline)
  return firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ','
}

/**
 * Empty fields cost csv-parse memory but no record bytes, so max_record_size cannot stop a line of a
 * million commas. One pass over the bytes counts delimiters per record outside quotes instead (a
 * doubled "" toggles twice, so it stays right), and refuses before csv-parse builds anything.
 */
function assertFieldCount(buffer: Buffer, delimiter: string): void {
  const sep = delimiter.charCodeAt(0)
  let inQuotes = false
  let fields = 1
  let record = 1
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i]
    if (c === QUOTE) inQuotes = !inQuotes
    else if (inQuotes) continue
    else if (c === sep) {
      if (++fields > MAX_CSV_FIELDS) throw tooManyFields(record)
    } else if (c === LF) {
      fields = 1
      record++
    }
  }
}

const QUOTE = 0x22
const LF = 0x0a

const tooManyFields = (row: number) =>
  new FileFormatError(`CSV 第 ${row} 行超过 ${MAX_CSV_FIELDS} 列，请只保留导入模板中的列（不超过 ${MAX_SHEET_COLUMNS} 列）`)
