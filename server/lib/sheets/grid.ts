// Collects the non-empty cells of a sheet as they are streamed, enforcing every limit on the way in.
// Blank cells and blank rows are never stored, so memory follows what the sheet actually holds.
import {
  MAX_CELL_CHARS,
  MAX_IMPORT_ROWS,
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

export class GridBuilder {
  private readonly rows: (string[] | undefined)[] = []
  private cells = 0
  private chars = 0

  /** `row` and `column` are 1-based. Whitespace-only text counts as blank, as everywhere else in imports. */
  set(row: number, column: number, text: string): void {
    if (!text.trim()) return
    // Row 1 is the header, so row r holds data row r - 1.
    if (row - 1 > MAX_IMPORT_ROWS) throw tooManyRows()
    if (column > MAX_SHEET_COLUMNS) throw tooManyColumns(row, column)
    if (text.length > MAX_CELL_CHARS) throw cellTooLong(row, column)
    if (++this.cells > MAX_SHEET_CELLS) throw tooManyCells()
    this.chars += text.length
    if (this.chars > MAX_SHEET_TEXT_CHARS) throw tooMuchText()
    const cells = (this.rows[row - 1] ??= [])
    cells[column - 1] = text
  }

  /** Dense rows up to the last non-empty one. */
  build(): Grid {
    return Array.from(this.rows, (cells) => Array.from(cells ?? [], (c) => c ?? ''))
  }
}
