// Shapes shared by every question importer, so the import route can treat all formats alike
// (every import answers `errors: [{row, message}]`, one entry per bad row).
import type { QuestionInput } from '../model.js'

/** One importable question; `row` is where it came from (spreadsheet row, GIFT/Aiken/JSON item number). */
export interface ParsedItem {
  row: number
  question: QuestionInput
}

export interface RowError {
  row: number
  message: string
}

export interface ParseResult {
  items: ParsedItem[]
  errors: RowError[]
}

// The sheet reader is generic and lives in server/lib/sheets; its error and row limit are re-exported
// here so every importer keeps one place to import them from.
export { FileFormatError } from '../../../lib/sheets/errors.js'
export { MAX_IMPORT_ROWS } from '../../../lib/sheets/limits.js'
