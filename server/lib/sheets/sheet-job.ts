// What the sheet worker does with one upload. Kept apart from the thread plumbing so it can be
// called (and type-checked) like any other function.
import { readCsvGrid } from './csv.js'
import { FileFormatError } from './errors.js'
import type { SheetGrid } from './grid.js'
import { readXlsxSheets, type SheetChoice } from './xlsx.js'

export type SheetKind = 'xlsx' | 'csv'
export type { SheetChoice } from './xlsx.js'

export interface SheetJob {
  kind: SheetKind
  bytes: Uint8Array
  /** Which worksheets of an .xlsx; a CSV is always one sheet. */
  sheets: SheetChoice
}

/** Plain data only: it crosses the thread boundary by structured clone. */
export type SheetJobResult =
  | { ok: true; sheets: SheetGrid[] }
  | { ok: false; formatError: true; message: string }
  | { ok: false; formatError: false; message: string; stack?: string }

export function runSheetJob(job: SheetJob): SheetJobResult {
  const buffer = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength)
  try {
    const sheets = job.kind === 'xlsx' ? readXlsxSheets(buffer, job.sheets) : [readCsvGrid(buffer)]
    return { ok: true, sheets }
  } catch (err) {
    if (err instanceof FileFormatError) return { ok: false, formatError: true, message: err.message }
    const e = err as Error
    return { ok: false, formatError: false, message: e?.message ?? String(err), stack: e?.stack }
  }
}
