// Collects the non-empty cells of a sheet as they are streamed, enforcing every limit on the way in.
// Blank cells and blank rows are never stored, so memory follows what the sheet actually holds.
// The sheets of one workbook share one SheetBudget: limits on cells, text and row elements hold for
// the whole file, so reading every sheet costs no more than one sheet of the same size did.
import {
  MAX_CELL_CHARS,
  MAX_IMPORT_ROWS,
  MAX_PHYSICAL_ROWS,
  MAX_SHEET_CELLS,
  MAX_SHEET_COLUMNS,
  MAX_SHEET_TEXT_CHARS,
  cellTooLong,
  tooManyCells,
  tooManyColumns,
  tooManyRows,
  tooMuchText,
} from './limits.js'

/** Rows of cell texts; `grid[i]` is sheet row `i + 1`, `grid[i][j]` column `j + 1`; gaps are ''. */
export type Grid = string[][]

/** A cell holding an error value (#REF!, #DIV/0!, …), usually a formula's result; its text in the grid is ''. */
export interface CellError {
  /** 1-based, like the sheet. */
  row: number
  column: number
  /** The error code as Excel shows it, e.g. "#REF!". */
  error: string
}

/** One worksheet as read: what a person sees in it, by row and column. */
export interface SheetGrid {
  /** The tab's name ('' for a CSV). */
  name: string
  grid: Grid
  /** Error cells, in reading order; each also counts as a non-empty cell against the limits. */
  errors: CellError[]
  /** A hidden tab, listed but not read (no cells). */
  hidden?: true
}

/** What the whole file may still hold; shared by the sheets of a workbook. */
export class SheetBudget {
  cells = 0
  chars = 0
  rowElements = 0

  /** Every `<row>` element or CSV record, blank or not: blank rows cost time too. */
  countRowElement(): void {
    if (++this.rowElements > MAX_PHYSICAL_ROWS) throw tooManyRows()
  }
}

export class GridBuilder {
  private readonly rows: (string[] | undefined)[] = []
  private readonly errors: CellError[] = []

  constructor(private readonly budget = new SheetBudget()) {}

  /** `row` and `column` are 1-based. Whitespace-only text counts as blank, as everywhere else in imports. */
  set(row: number, column: number, text: string): void {
    if (!text.trim()) return
    this.count(row, column, text.length)
    const cells = (this.rows[row - 1] ??= [])
    cells[column - 1] = text
  }

  /** An error cell: kept apart so an importer can name it instead of reading it as blank. */
  setError(row: number, column: number, error: string): void {
    this.count(row, column, error.length)
    this.rows[row - 1] ??= []
    this.errors.push({ row, column, error })
  }

  private count(row: number, column: number, chars: number): void {
    // Row 1 is the header, so row r holds data row r - 1.
    if (row - 1 > MAX_IMPORT_ROWS) throw tooManyRows()
    if (column > MAX_SHEET_COLUMNS) throw tooManyColumns(row, column)
    if (chars > MAX_CELL_CHARS) throw cellTooLong(row, column)
    if (++this.budget.cells > MAX_SHEET_CELLS) throw tooManyCells()
    this.budget.chars += chars
    if (this.budget.chars > MAX_SHEET_TEXT_CHARS) throw tooMuchText()
  }

  /** Dense rows up to the last non-empty one (a row holding only an error cell counts). */
  build(name = ''): SheetGrid {
    return { name, grid: Array.from(this.rows, (cells) => Array.from(cells ?? [], (c) => c ?? '')), errors: this.errors }
  }
}
