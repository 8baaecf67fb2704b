// Reads the first sheet of an .xlsx or a .csv into rows keyed by header text. Generic on purpose
// (question and user imports share it); knows nothing about questions.
import ExcelJS from 'exceljs'
import { parse as parseCsv } from 'csv-parse/sync'
import { FileFormatError, MAX_IMPORT_ROWS } from './types.js'
import { assertSafeZip, MAX_UNCOMPRESSED_BYTES } from './zip-guard.js'
import { toHalfWidth } from './validate.js'

export interface SheetTable {
  /** Normalised header texts of row 1, in column order. */
  headers: string[]
  /** One record per data row, blank rows kept so `rows[i]` is spreadsheet row `i + 2`. */
  rows: Record<string, string>[]
}

const tooManyRows = () => new FileFormatError(`文件超过 ${MAX_IMPORT_ROWS} 行数据，请拆分后分批导入`)

export async function readSpreadsheetTable(buffer: Buffer, filename: string): Promise<SheetTable> {
  const ext = extension(filename)
  if (ext === 'xlsx') return readXlsx(buffer)
  if (ext === 'csv') return readCsv(buffer)
  if (ext === 'xls') throw new FileFormatError('不支持旧版 .xls 文件，请用 Excel/WPS 另存为 .xlsx 后再上传')
  throw new FileFormatError(`不支持的表格文件类型：${filename}（请使用 .xlsx 或 .csv）`)
}

export async function readSpreadsheet(buffer: Buffer, filename: string): Promise<Record<string, string>[]> {
  return (await readSpreadsheetTable(buffer, filename)).rows
}

export function extension(filename: string): string {
  const m = /\.([^./\\]+)$/.exec(filename.trim())
  return m ? m[1].toLowerCase() : ''
}

/** Header cells are matched loosely: spacing and full-width letters ("选项Ａ") do not matter. */
export function normalizeHeader(h: string): string {
  return toHalfWidth(h).replace(/\s+/g, '').replace(/^\*/, '')
}

async function readXlsx(buffer: Buffer): Promise<SheetTable> {
  if (buffer.length >= 4 && buffer.readUInt32BE(0) === 0xd0cf11e0) {
    throw new FileFormatError('这是旧版 .xls 文件，请用 Excel/WPS 另存为 .xlsx 后再上传')
  }
  const { maxSheetRows } = assertSafeZip(buffer)
  // Rough pre-check on the raw XML (formatted empty rows count too, hence the slack);
  // the exact count of data rows is checked below once blank rows are trimmed.
  if (maxSheetRows > 2 * MAX_IMPORT_ROWS) throw tooManyRows()

  const wb = new ExcelJS.Workbook()
  try {
    // exceljs declares its own `Buffer` type (an ArrayBuffer); a Node Buffer is what it really reads.
    await wb.xlsx.load(buffer as unknown as ExcelJS.Buffer)
  } catch {
    throw new FileFormatError('.xlsx 文件已损坏或不是 Excel 工作簿，无法读取')
  }
  const ws = wb.worksheets[0]
  if (!ws) throw new FileFormatError('.xlsx 文件中没有工作表')

  const grid: string[][] = []
  for (let r = 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r)
    const cells: string[] = []
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value))
    grid.push(cells)
  }
  return toTable(grid)
}

/** The text a person sees in the cell. Formulas are never evaluated: we take Excel's cached result. */
function cellText(v: ExcelJS.CellValue | undefined): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (v instanceof Date) {
    const iso = v.toISOString()
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso
  }
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('')
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as { result?: ExcelJS.CellValue }).result)
    if ('error' in v) return ''
    if ('text' in v) return cellText((v as { text: ExcelJS.CellValue }).text)
  }
  return ''
}

function readCsv(buffer: Buffer): SheetTable {
  if (buffer.length > MAX_UNCOMPRESSED_BYTES) throw new FileFormatError('CSV 文件超过 50 MB，拒绝处理')
  let text: string
  try {
    // fatal: a GBK file (Excel's "CSV (逗号分隔)" on Chinese Windows) must not turn into mojibake silently.
    // The decoder drops a UTF-8 BOM by itself.
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer)
  } catch {
    throw new FileFormatError('CSV 文件不是 UTF-8 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”，或直接上传 .xlsx')
  }
  const firstLine = text.slice(0, text.search(/\r?\n|$/))
  const delimiter = firstLine.includes('\t') && !firstLine.includes(',') ? '\t' : ','
  let records: string[][]
  try {
    // Cells are plain strings: csv-parse casts nothing, so "=1+1" stays text.
    records = parseCsv(text, { delimiter, relax_column_count: true, skip_empty_lines: false })
  } catch (err) {
    throw new FileFormatError(`CSV 格式错误：${(err as Error).message}`)
  }
  return toTable(records)
}

function toTable(grid: string[][]): SheetTable {
  const isBlank = (cells: string[]) => cells.every((c) => !c.trim())
  while (grid.length && isBlank(grid[grid.length - 1])) grid.pop()
  if (!grid.length) throw new FileFormatError('文件是空的：第 1 行应为表头')
  if (grid.length - 1 > MAX_IMPORT_ROWS) throw tooManyRows()

  const headers = grid[0].map((h) => normalizeHeader(h))
  const rows = grid.slice(1).map((cells) => {
    const rec: Record<string, string> = {}
    headers.forEach((h, i) => {
      if (h && !(h in rec)) rec[h] = cells[i] ?? ''
    })
    return rec
  })
  return { headers: headers.filter(Boolean), rows }
}
