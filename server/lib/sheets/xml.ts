// A small pull scanner for the XML inside an .xlsx. It walks the bytes once and decodes only what a
// handler asks for, so a 50 MB sheet part never becomes a 50 MB string. It is not a validating
// parser: workbook parts are machine-written, and anything it cannot follow is reported as corrupt.
import { FileFormatError } from './errors.js'

export interface XmlHandler {
  /** `name` is the local name (`x:row` → `row`); `attrs()` parses the attributes on demand. */
  open(name: string, attrs: () => XmlAttrs, selfClosing: boolean): void
  close(name: string): void
  /** Character data between tags; `text()` decodes it (entities, line ends) on demand. */
  text?(text: () => string): void
}

/** Attribute values by local name (`r:id` → `id`), entities decoded. */
export type XmlAttrs = Record<string, string>

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f
const QUESTION = 0x3f
const BANG = 0x21
const DQUOTE = 0x22
const SQUOTE = 0x27

export const corruptXml = () => new FileFormatError('.xlsx 文件已损坏或不是 Excel 工作簿，无法读取')

export function scanXml(xml: Buffer, h: XmlHandler): void {
  const n = xml.length
  let i = 0
  while (i < n) {
    const lt = xml.indexOf(LT, i)
    const textEnd = lt < 0 ? n : lt
    if (textEnd > i && h.text) {
      const from = i
      h.text(() => decodeText(xml.toString('utf8', from, textEnd)))
    }
    if (lt < 0) return
    const next = xml[lt + 1]
    if (next === QUESTION) {
      i = skipPast(xml, '?>', lt)
    } else if (next === BANG) {
      i = skipDeclaration(xml, lt, h)
    } else if (next === SLASH) {
      const gt = xml.indexOf(GT, lt)
      if (gt < 0) throw corruptXml()
      h.close(localName(xml.toString('latin1', lt + 2, gt).trim()))
      i = gt + 1
    } else {
      i = openTag(xml, lt, h)
    }
  }
}

function openTag(xml: Buffer, lt: number, h: XmlHandler): number {
  const gt = tagEnd(xml, lt)
  const selfClosing = xml[gt - 1] === SLASH
  const end = selfClosing ? gt - 1 : gt
  let nameEnd = lt + 1
  while (nameEnd < end && !isSpace(xml[nameEnd])) nameEnd++
  const name = localName(xml.toString('latin1', lt + 1, nameEnd))
  if (!name) throw corruptXml()
  h.open(name, () => parseAttributes(xml.toString('utf8', nameEnd, end)), selfClosing)
  if (selfClosing) h.close(name)
  return gt + 1
}

/** Comments and CDATA are fine; a DOCTYPE (entity definitions) never appears in a workbook and is refused. */
function skipDeclaration(xml: Buffer, lt: number, h: XmlHandler): number {
  if (startsWith(xml, lt, '<!--')) return skipPast(xml, '-->', lt)
  if (startsWith(xml, lt, '<![CDATA[')) {
    const end = xml.indexOf(']]>', lt)
    if (end < 0) throw corruptXml()
    const text = xml.toString('utf8', lt + 9, end)
    h.text?.(() => text)
    return end + 3
  }
  throw corruptXml()
}

/** The `>` closing the tag at `lt`; a `>` inside a quoted attribute value does not count. */
function tagEnd(xml: Buffer, lt: number): number {
  let quote = 0
  for (let i = lt + 1; i < xml.length; i++) {
    const c = xml[i]
    if (quote) {
      if (c === quote) quote = 0
    } else if (c === DQUOTE || c === SQUOTE) quote = c
    else if (c === GT) return i
    else if (c === LT) break
  }
  throw corruptXml()
}

function skipPast(xml: Buffer, marker: string, from: number): number {
  const at = xml.indexOf(marker, from)
  if (at < 0) throw corruptXml()
  return at + marker.length
}

function startsWith(xml: Buffer, at: number, s: string): boolean {
  for (let k = 0; k < s.length; k++) if (xml[at + k] !== s.charCodeAt(k)) return false
  return true
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(':')
  return colon < 0 ? qualified : qualified.slice(colon + 1)
}

const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g

function parseAttributes(s: string): XmlAttrs {
  const attrs: XmlAttrs = {}
  for (const m of s.matchAll(ATTRIBUTE)) attrs[localName(m[1])] = decodeEntities(m[2] ?? m[3] ?? '')
  return attrs
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(ENTITY, (whole, e: string) => {
    if (e[0] !== '#') return NAMED[e]
    const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })
}

/** XML end-of-line handling: CR LF and lone CR read as LF. */
function decodeText(s: string): string {
  const decoded = decodeEntities(s)
  return decoded.includes('\r') ? decoded.replace(/\r\n?/g, '\n') : decoded
}
