// What an uploaded sheet may contain. Every limit is checked while the file is streamed, before
// anything proportional to the offending value is built, so a 32 KB file naming cell XFD3000
// costs no more than a 32 KB file naming A3000. Messages name the limit so people know what to fix.
import { FileFormatError } from './errors.js'

/** Excel's last column, XFD. */
const EXCEL_MAX_COLUMN = 16_384

/** More data rows than this in one file is a mistake or an attack, never a real upload. */
export const MAX_IMPORT_ROWS = 20_000
/** Row elements / CSV records including blank ones: blank rows cost time too, so they are capped with slack. */
export const MAX_PHYSICAL_ROWS = 2 * MAX_IMPORT_ROWS
/** Highest column index a non-empty cell may have (the templates use 14 at most; Excel allows 16,384). */
export const MAX_SHEET_COLUMNS = 50
/** Characters in one cell (a question stem may have 2,000). */
export const MAX_CELL_CHARS = 5_000
/** Non-empty cells in the whole sheet (20,000 full template rows need 280,000). */
export const MAX_SHEET_CELLS = 400_000
/** Characters in all cells together: bounds what the worker hands back to the main thread. */
export const MAX_SHEET_TEXT_CHARS = 20_000_000
/** Worksheets in one workbook: each is read and named in the answer, so a file may not hold thousands. */
export const MAX_SHEETS = 100
/** Fields of one CSV record, empty ones included: Excel never writes more, and each costs memory. */
export const MAX_CSV_FIELDS = EXCEL_MAX_COLUMN

export const tooManyRows = () => new FileFormatError(`文件超过 ${MAX_IMPORT_ROWS} 行数据，请拆分后分批导入`)

export const tooManySheets = () => new FileFormatError(`工作簿中的工作表超过 ${MAX_SHEETS} 个，请删去不需要的工作表`)

export const tooManyColumns = (row: number, column: number) =>
  new FileFormatError(`表格超过 ${MAX_SHEET_COLUMNS} 列：第 ${row} 行的${columnLabel(column)}有内容。请只保留导入模板中的列`)

export const cellTooLong = (row: number, column: number) =>
  new FileFormatError(`单元格内容超过 ${MAX_CELL_CHARS} 字：第 ${row} 行第 ${column} 列。请精简后再导入`)

export const tooManyCells = () => new FileFormatError(`表格中有内容的单元格超过 ${MAX_SHEET_CELLS} 个，请拆分后分批导入`)

export const tooMuchText = () => new FileFormatError(`表格文字总量超过 ${MAX_SHEET_TEXT_CHARS / 10_000} 万字，请拆分后分批导入`)

function columnLabel(column: number): string {
  return column <= EXCEL_MAX_COLUMN ? `第 ${column} 列（${columnLetters(column)} 列）` : `第 ${EXCEL_MAX_COLUMN} 列以后`
}

/** 1 → A, 28 → AB, 16384 → XFD. */
export function columnLetters(column: number): string {
  let s = ''
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s
  return s
}
