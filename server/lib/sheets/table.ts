// Reads an .xlsx or a .csv into rows keyed by header text: the first sheet (readSpreadsheetTable), or
// every sheet of a workbook (readSpreadsheetBook) for an importer that picks the sheets whose header
// it knows. Generic on purpose (question and user imports share it); knows nothing about questions.
// The bytes are parsed in a worker thread under row, column, cell and time limits (read-sheet.ts);
// only the small step from a grid of texts to header-keyed records happens here.
import { readSheetGrids, type SheetChoice, type SheetGrid } from './read-sheet.js'
import { isOleFile } from './xlsx.js'
import { FileFormatError } from './errors.js'
import { tooManyRows, MAX_IMPORT_ROWS } from './limits.js'
import { toHalfWidth } from '../text.js'

export interface SheetTable {
  /** The worksheet's tab name ('' for a CSV). */
  name: string
  /** Normalised header texts of row 1, in column order. */
  headers: string[]
  /** One record per data row, blank rows kept so `rows[i]` is spreadsheet row `i + 2`. */
  rows: Record<string, string>[]
  /**
   * Error cells (#REF!, #DIV/0!, …) under a header, by index into `rows`: `cellErrors.get(i)?.[header]`.
   * Their text in `rows` is '', so an importer that looks here can say what they are instead of "empty".
   */
  cellErrors: Map<number, Record<string, string>>
}

/** One worksheet of a workbook: a table, or why it is none. */
export type BookSheet = { name: string; table: SheetTable } | { name: string; skipped: 'empty' | 'hidden' }

export interface SpreadsheetBook {
  /** In tab order; a CSV is one sheet named ''. */
  sheets: BookSheet[]
}

/** The first sheet. An empty one is a 400: there is nothing else to read. */
export async function readSpreadsheetTable(buffer: Buffer, filename: string): Promise<SheetTable> {
  const [first] = await readGrids(buffer, filename, 'first')
  const table = toTable(first)
  if (!table) throw emptyFile()
  return table
}

/** Every worksheet, hidden and empty ones listed as skipped. A file with one sheet that is empty is a 400, as before. */
export async function readSpreadsheetBook(buffer: Buffer, filename: string): Promise<SpreadsheetBook> {
  const grids = await readGrids(buffer, filename, 'all')
  const sheets = grids.map((g): BookSheet => {
    if (g.hidden) return { name: g.name, skipped: 'hidden' }
    const table = toTable(g)
    return table ? { name: g.name, table } : { name: g.name, skipped: 'empty' }
  })
  if (sheets.length === 1 && 'skipped' in sheets[0]) throw emptyFile()
  return { sheets }
}

/**
 * The row limit holds for a file, not a sheet: the data rows (blank ones between included, as the
 * reader counts them) of the tables an importer takes may not exceed MAX_IMPORT_ROWS together.
 */
export function assertRowTotal(tables: SheetTable[]): void {
  if (tables.reduce((n, t) => n + t.rows.length, 0) > MAX_IMPORT_ROWS) throw tooManyRows()
}

export async function readSpreadsheet(buffer: Buffer, filename: string): Promise<Record<string, string>[]> {
  return (await readSpreadsheetTable(buffer, filename)).rows
}

async function readGrids(buffer: Buffer, filename: string, sheets: SheetChoice): Promise<SheetGrid[]> {
  const ext = extension(filename)
  if (ext === 'xlsx') {
    // Checked here too so an old .xls renamed to .xlsx is answered without starting a worker.
    if (isOleFile(buffer)) throw new FileFormatError('这是旧版 .xls 文件，请用 Excel/WPS 另存为 .xlsx 后再上传')
    return readSheetGrids(buffer, 'xlsx', { sheets })
  }
  if (ext === 'csv') return readSheetGrids(buffer, 'csv')
  if (ext === 'xls') throw new FileFormatError('不支持旧版 .xls 文件，请用 Excel/WPS 另存为 .xlsx 后再上传')
  throw new FileFormatError(`不支持的表格文件类型：${filename}（请使用 .xlsx 或 .csv）`)
}

const emptyFile = () => new FileFormatError('文件是空的：第 1 行应为表头')

export function extension(filename: string): string {
  const m = /\.([^./\\]+)$/.exec(filename.trim())
  return m ? m[1].toLowerCase() : ''
}

/** Header cells are matched loosely: spacing and full-width letters ("选项Ａ") do not matter. */
export function normalizeHeader(h: string): string {
  return toHalfWidth(h).replace(/\s+/g, '').replace(/^\*/, '')
}

/**
 * The reader has already bounded rows, columns and cells; trailing blank rows never reach here.
 * Null for a sheet with nothing in it.
 */
function toTable({ name, grid, errors }: SheetGrid): SheetTable | null {
  const errorRows = new Set(errors.map((e) => e.row))
  const isBlank = (cells: string[], row: number) => !errorRows.has(row) && cells.every((c) => !c.trim())
  while (grid.length && isBlank(grid[grid.length - 1], grid.length)) grid.pop()
  if (!grid.length) return null

  const headers = grid[0].map((h) => normalizeHeader(h))
  const rows = grid.slice(1).map((cells) => {
    const rec: Record<string, string> = {}
    headers.forEach((h, i) => {
      if (h && !(h in rec)) rec[h] = cells[i] ?? ''
    })
    return rec
  })
  // Only error cells under a header of their own matter; the first column with a header wins, as for text.
  const cellErrors = new Map<number, Record<string, string>>()
  for (const e of errors) {
    const header = headers[e.column - 1]
    if (e.row < 2 || !header || headers.indexOf(header) !== e.column - 1) continue
    const at = cellErrors.get(e.row - 2) ?? {}
    at[header] = e.error
    cellErrors.set(e.row - 2, at)
  }
  return { name, headers: headers.filter(Boolean), rows, cellErrors }
}
