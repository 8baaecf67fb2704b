// Reads the first sheet of an .xlsx or a .csv into rows keyed by header text. Generic on purpose
// (question and user imports share it); knows nothing about questions. The bytes are parsed in a
// worker thread under row, column, cell and time limits (read-sheet.ts); only the small step from
// a grid of texts to header-keyed records happens here.
import { readSheetGrid, type Grid } from './read-sheet.js'
import { isOleFile } from './xlsx.js'
import { FileFormatError } from './errors.js'
import { toHalfWidth } from '../text.js'

export interface SheetTable {
  /** Normalised header texts of row 1, in column order. */
  headers: string[]
  /** One record per data row, blank rows kept so `rows[i]` is spreadsheet row `i + 2`. */
  rows: Record<string, string>[]
}

export async function readSpreadsheetTable(buffer: Buffer, filename: string): Promise<SheetTable> {
  const ext = extension(filename)
  if (ext === 'xlsx') {
    // Checked here too so an old .xls renamed to .xlsx is answered without starting a worker.
    if (isOleFile(buffer)) throw new FileFormatError('这是旧版 .xls 文件，请用 Excel/WPS 另存为 .xlsx 后再上传')
    return toTable(await readSheetGrid(buffer, 'xlsx'))
  }
  if (ext === 'csv') return toTable(await readSheetGrid(buffer, 'csv'))
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

/** The reader has already bounded rows, columns and cells; trailing blank rows never reach here. */
function toTable(grid: Grid): SheetTable {
  const isBlank = (cells: string[]) => cells.every((c) => !c.trim())
  while (grid.length && isBlank(grid[grid.length - 1])) grid.pop()
  if (!grid.length) throw new FileFormatError('文件是空的：第 1 行应为表头')

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
