// Cells that a spreadsheet reads as what they are: dates as dates, numbers as numbers.
import type ExcelJS from 'exceljs'

/** Shown in the department's time zone (Excel dates carry none): Asia/Shanghai, UTC+8 all year. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000
export const DATE_TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss'
export const PERCENT_FORMAT = '0.0%'

/** A real date cell showing the Shanghai wall-clock time of `iso`; null stays an empty cell. */
export function shanghaiCellDate(iso: string | Date | null | undefined): Date | null {
  if (!iso) return null
  return new Date(new Date(iso).getTime() + SHANGHAI_OFFSET_MS)
}

/** Text that a spreadsheet would run as a formula is neutralised with a leading quote. */
export const safeText = (v: string) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v)

/** A second sheet naming what the first one is (the table itself starts with its header in row 1). */
export function addAboutSheet(wb: ExcelJS.Workbook, name: string, rows: [string, string | Date | number][]) {
  const about = wb.addWorksheet(name)
  about.columns = [
    { header: '项目', key: 'k', width: 14 },
    { header: '内容', key: 'v', width: 60 },
  ]
  about.getRow(1).font = { bold: true }
  for (const [k, v] of rows) {
    const row = about.addRow([k, typeof v === 'string' ? safeText(v) : v])
    if (v instanceof Date) row.getCell(2).numFmt = DATE_TIME_FORMAT
  }
  return about
}
