// Reads the worksheets of an .xlsx into Grids of the texts a person sees: the first one, or every
// one (an importer then picks the sheets whose header it knows). Streams the parts' XML with scanXml
// and stores only non-empty cells through GridBuilder, so every limit is enforced before anything
// proportional to it exists; the sheets of one file share one budget. Cell values follow what
// exceljs would show: shared, inline and rich text; numbers; booleans; date-formatted numbers as ISO
// dates; formulas never evaluated (their cached result is taken). Error values (#REF!, #DIV/0!, …,
// whether a formula's result or typed) read as blank text and are listed apart, so an importer can
// say what they are instead of "不能为空".
import { FileFormatError } from './errors.js'
import { GridBuilder, SheetBudget, type SheetGrid } from './grid.js'
import { MAX_CELL_CHARS, tooManySheets, MAX_SHEETS } from './limits.js'
import { corruptXml, scanXml } from './xml.js'
import { readSafeZip } from './zip.js'

const OLE_SIGNATURE = 0xd0cf11e0

/** An old binary .xls (or any OLE compound file) starts with D0 CF 11 E0. */
export function isOleFile(buf: Uint8Array): boolean {
  return buf.length >= 4 && Buffer.from(buf.buffer, buf.byteOffset, 4).readUInt32BE(0) === OLE_SIGNATURE
}

/** Which sheets to read: the first in tab order (hidden or not), or every visible one. */
export type SheetChoice = 'first' | 'all'

/**
 * With 'all', a hidden sheet is listed (`hidden: true`, no cells) but not read: nobody filling in the
 * workbook sees its rows, so an importer must not take them in silently.
 */
export function readXlsxSheets(buffer: Buffer, choice: SheetChoice): SheetGrid[] {
  if (isOleFile(buffer)) throw new FileFormatError('这是旧版 .xls 文件，请用 Excel/WPS 另存为 .xlsx 后再上传')
  const parts = readSafeZip(buffer, (name) => name.endsWith('.xml') || name.endsWith('.rels'))
  try {
    const book = locateParts(parts)
    const shared = book.sharedStrings ? readSharedStrings(book.sharedStrings) : []
    const dateStyles = book.styles ? readDateStyles(book.styles) : new Set<number>()
    const ctx = { shared, dateStyles, date1904: book.date1904 }
    const budget = new SheetBudget()
    const chosen = choice === 'first' ? book.sheets.slice(0, 1) : book.sheets
    return chosen.map((s) => {
      if (choice === 'all' && s.hidden) return { name: s.name, hidden: true, grid: [], errors: [] }
      const xml = parts.get(s.path)
      if (!xml) throw corruptXml()
      return readSheet(xml, ctx, budget).build(s.name)
    })
  } catch (err) {
    if (err instanceof FileFormatError) throw err
    throw corruptXml()
  }
}

// ---- workbook: its sheets in tab order, and where the shared strings and styles are ----

interface BookSheet {
  /** As on the tab; Excel allows 31 characters, anything longer is cut to that. */
  name: string
  /** Lower-cased part name inside the zip. */
  path: string
  hidden: boolean
}

interface BookParts {
  sheets: BookSheet[]
  sharedStrings?: Buffer
  styles?: Buffer
  date1904: boolean
}

function locateParts(parts: Map<string, Buffer>): BookParts {
  const rootRels = readRelationships(parts.get('_rels/.rels'), '')
  const bookPath = rootRels.find((r) => r.type.endsWith('/officeDocument'))?.target ?? 'xl/workbook.xml'
  const bookXml = parts.get(bookPath)
  if (!bookXml) throw corruptXml()
  const dir = bookPath.slice(0, bookPath.lastIndexOf('/') + 1)
  const rels = readRelationships(parts.get(`${dir}_rels/${bookPath.slice(dir.length)}.rels`), dir)

  const sheets: BookSheet[] = []
  let date1904 = false
  scanXml(bookXml, {
    open(name, attrs) {
      if (name === 'sheet') {
        if (sheets.length >= MAX_SHEETS) throw tooManySheets()
        const a = attrs()
        const rel = rels.find((r) => r.id === (a.id ?? ''))
        // A chart sheet (or an old dialog/macro sheet) is a tab without cells: no table, not listed.
        if (rel && !/\/(chartsheet|dialogsheet|xlMacrosheet)$/i.test(rel.type)) {
          sheets.push({ name: (a.name ?? '').slice(0, 31), path: rel.target, hidden: a.state === 'hidden' || a.state === 'veryHidden' })
        }
      }
      if (name === 'workbookPr') date1904 = ['1', 'true'].includes(attrs().date1904 ?? '')
    },
    close() {},
  })
  if (!sheets.length || !parts.get(sheets[0].path)) throw new FileFormatError('.xlsx 文件中没有工作表')
  const partOf = (type: string) => {
    const target = rels.find((r) => r.type.endsWith(type))?.target
    return target ? parts.get(target) : undefined
  }
  return { sheets, sharedStrings: partOf('/sharedStrings'), styles: partOf('/styles'), date1904 }
}

interface Relationship {
  id: string
  type: string
  /** Lower-cased part name inside the zip. */
  target: string
}

function readRelationships(xml: Buffer | undefined, baseDir: string): Relationship[] {
  const rels: Relationship[] = []
  if (!xml) return rels
  scanXml(xml, {
    open(name, attrs) {
      if (name !== 'Relationship') return
      const a = attrs()
      if (a.TargetMode === 'External' || !a.Target) return
      rels.push({ id: a.Id ?? '', type: a.Type ?? '', target: resolvePartName(baseDir, a.Target) })
    },
    close() {},
  })
  return rels
}

/** "worksheets/sheet1.xml" relative to "xl/", or an absolute "/xl/worksheets/sheet1.xml". */
function resolvePartName(baseDir: string, target: string): string {
  const segments = (target.startsWith('/') ? target.slice(1) : baseDir + target).split('/')
  const out: string[] = []
  for (const s of segments) {
    if (s === '..') out.pop()
    else if (s && s !== '.') out.push(s)
  }
  return out.join('/').toLowerCase()
}

// ---- shared strings and date styles ----

/** Each `<si>`: its text runs joined, phonetic guides (`<rPh>`) left out. Cut just past the cell limit. */
function readSharedStrings(xml: Buffer): string[] {
  const strings: string[] = []
  let current: string | null = null
  let inText = false
  let phoneticDepth = 0
  scanXml(xml, {
    open(name) {
      if (name === 'si') current = ''
      else if (name === 'rPh') phoneticDepth++
      else if (name === 't' && !phoneticDepth) inText = true
    },
    close(name) {
      if (name === 'si' && current !== null) strings.push(current)
      else if (name === 'rPh') phoneticDepth--
      else if (name === 't') inText = false
      if (name === 'si') current = null
    },
    text(text) {
      // A string longer than any cell may hold is refused when a cell uses it; keep no more than that.
      if (inText && current !== null && current.length <= MAX_CELL_CHARS) current = (current + text()).slice(0, MAX_CELL_CHARS + 1)
    },
  })
  return strings
}

/** Number formats Excel has built in whose codes show dates or times (ids 14–22 and 45–47). */
const BUILTIN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47])

/** A format code shows a date or time when, outside quotes and [brackets], it uses y m d h s or b. */
function isDateFormat(code: string): boolean {
  return /[ymdhMsb]/.test(code.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''))
}

/** Indexes into `<cellXfs>` (a cell's `s`) whose number format shows a date. */
function readDateStyles(xml: Buffer): Set<number> {
  const customDate = new Map<number, boolean>()
  const xfFormats: number[] = []
  let inCellXfs = false
  scanXml(xml, {
    open(name, attrs) {
      if (name === 'numFmt') {
        const a = attrs()
        customDate.set(Number(a.numFmtId), isDateFormat((a.formatCode ?? '').replace(/\\(.)/g, '$1')))
      } else if (name === 'cellXfs') inCellXfs = true
      else if (name === 'xf' && inCellXfs) xfFormats.push(Number(attrs().numFmtId ?? 0))
    },
    close(name) {
      if (name === 'cellXfs') inCellXfs = false
    },
  })
  const dates = new Set<number>()
  xfFormats.forEach((id, index) => {
    if (id && (customDate.get(id) ?? BUILTIN_DATE_FORMATS.has(id))) dates.add(index)
  })
  return dates
}

// ---- the sheet ----

interface CellContext {
  shared: string[]
  dateStyles: Set<number>
  date1904: boolean
}

interface CellState {
  column: number
  type: string
  style: number
  hasFormula: boolean
  /** `<v>` text, or the `<t>` runs of an inline string; null when the cell has neither. */
  raw: string | null
}

function readSheet(xml: Buffer, ctx: CellContext, budget: SheetBudget): GridBuilder {
  const grid = new GridBuilder(budget)
  let row = 0
  let column = 0
  let cell: CellState | null = null
  let collecting: 'v' | 't' | null = null
  let phoneticDepth = 0
  let inSheetData = false

  scanXml(xml, {
    open(name, attrs) {
      if (name === 'sheetData') inSheetData = true
      if (!inSheetData) return
      if (name === 'row') {
        budget.countRowElement()
        row = positiveInt(attrs().r) ?? row + 1
        column = 0
      } else if (name === 'c') {
        const a = attrs()
        column = (a.r ? columnOf(a.r) : undefined) ?? column + 1
        cell = { column, type: a.t ?? 'n', style: Number(a.s ?? 0), hasFormula: false, raw: null }
      } else if (cell) {
        if (name === 'f') cell.hasFormula = true
        else if (name === 'v') collecting = 'v'
        else if (name === 'rPh') phoneticDepth++
        else if (name === 't' && !phoneticDepth) collecting = 't'
        if (collecting) cell.raw ??= ''
      }
    },
    close(name) {
      if (name === 'sheetData') inSheetData = false
      if (name === 'v' || name === 't') collecting = null
      else if (name === 'rPh') phoneticDepth--
      else if (name === 'c' && cell) {
        if (cell.raw !== null) {
          if (cell.type === 'e') grid.setError(row, cell.column, errorCode(cell.raw))
          else grid.set(row, cell.column, cellText(cell, ctx))
        }
        cell = null
      }
    },
    text(text) {
      if (!collecting || !cell) return
      cell.raw += text()
      // Refuse an over-long cell while reading it, not after buffering all of it.
      if (cell.raw!.length > MAX_CELL_CHARS) grid.set(row, cell.column, cell.raw!)
    },
  })
  return grid
}

/** Excel's error values; anything else in an error cell (a hand-made file) is shown as the generic one. */
const ERROR_CODES = /^#(NULL!|DIV\/0!|VALUE!|REF!|NAME\?|NUM!|N\/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!|BUSY!|UNKNOWN!)$/

function errorCode(raw: string): string {
  const code = raw.trim().toUpperCase()
  return ERROR_CODES.test(code) ? code : '#VALUE!'
}

/** "XFD12" → 16384. Stops counting past Excel's last column: the value only needs to exceed the limit. */
function columnOf(ref: string): number | undefined {
  let column = 0
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) & ~0x20 // upper-case ASCII letters
    if (c < 65 || c > 90) break
    column = Math.min(column * 26 + (c - 64), 1_000_000)
  }
  return column || undefined
}

function positiveInt(s: string | undefined): number | undefined {
  if (!s || !/^\d{1,9}$/.test(s)) return undefined
  const n = Number(s)
  return n > 0 ? n : undefined
}

/** What the cell shows, by its type (`t`), exactly as exceljs reads it. Error cells (`t="e"`) never get here. */
function cellText(cell: CellState, ctx: CellContext): string {
  const raw = cell.raw ?? ''
  if (cell.hasFormula) {
    if (!raw) return ''
    if (cell.type === 'str') return raw
    if (cell.type === 'b') return String(parseInt(raw, 10) !== 0)
    return numberText(raw, cell.style, ctx)
  }
  switch (cell.type) {
    case 's':
      return ctx.shared[parseInt(raw, 10)] ?? ''
    case 'str':
    case 'inlineStr':
      return raw
    case 'b':
      return String(parseInt(raw, 10) !== 0)
    default:
      return numberText(raw, cell.style, ctx)
  }
}

/** A number as typed, or as an ISO date ("2024-05-01", or with the time) when its style shows a date. */
function numberText(raw: string, style: number, ctx: CellContext): string {
  const n = parseFloat(raw)
  if (Number.isNaN(n)) return raw.trim()
  if (!ctx.dateStyles.has(style)) return String(n)
  const date = new Date(Math.round((n - 25569 + (ctx.date1904 ? 1462 : 0)) * 86_400_000))
  if (Number.isNaN(date.getTime())) return String(n)
  const iso = date.toISOString()
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso
}
