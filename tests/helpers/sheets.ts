import ExcelJS from 'exceljs'
import { readSheetGrids, type Grid, type SheetKind } from '../../server/lib/sheets/read-sheet.js'

/** An .xlsx with one sheet: a header row and the given rows. */
export async function xlsx(header: string[], rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const sheet = wb.addWorksheet('Sheet1')
  sheet.addRow(header)
  for (const r of rows) sheet.addRow(r)
  return Buffer.from(await wb.xlsx.writeBuffer())
}

export function csv(header: string[], rows: (string | number)[][], bom = true): Buffer {
  const esc = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v))
  const text = [header, ...rows].map((r) => r.map(esc).join(',')).join('\r\n')
  return Buffer.from((bom ? '\uFEFF' : '') + text, 'utf8')
}

/** The cell texts of a file's first sheet, read by the server's own reader (worker, limits and all). */
export async function firstSheetGrid(bytes: Uint8Array, kind: SheetKind, opts: { timeoutMs?: number } = {}): Promise<Grid> {
  return (await readSheetGrids(bytes, kind, opts))[0].grid
}
