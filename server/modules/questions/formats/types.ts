// Shapes shared by every question importer, so the import route can treat all formats alike
// (CONTRACT "Conventions": imports answer `errors: [{row, message}]`).
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

/** The file as a whole cannot be read (wrong type, corrupt, too big). Maps to HTTP 400. */
export class FileFormatError extends Error {
  readonly code = 'FILE_FORMAT'
  constructor(message: string) {
    super(message)
    this.name = 'FileFormatError'
  }
}

/** More questions than this in one file is a mistake or an attack, never a real upload. */
export const MAX_IMPORT_ROWS = 20_000
