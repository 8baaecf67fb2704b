// An .xlsx is a zip, and a tiny upload can expand to gigabytes (a zip bomb). We walk the central
// directory ourselves and inflate each entry with a hard cap on what is left of the budget, so lying
// size fields do not help an attacker. Only then does anything look inside the parts.
import { inflateRawSync } from 'node:zlib'
import { FileFormatError } from './errors.js'

export const MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024

const EOCD_SIG = 0x06054b50
const CDIR_SIG = 0x02014b50
const LOCAL_SIG = 0x04034b50

export function isZip(buf: Uint8Array): boolean {
  return buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04
}

/**
 * Inflates every entry of `buf` within `maxBytes` in total and returns the contents of the entries
 * `keep` accepts, by lower-cased name (part names in a workbook are case-insensitive).
 * Throws FileFormatError for anything that is not a plain, small enough zip.
 */
export function readSafeZip(
  buf: Buffer,
  keep: (name: string) => boolean = () => false,
  maxBytes = MAX_UNCOMPRESSED_BYTES,
): Map<string, Buffer> {
  if (!isZip(buf)) throw new FileFormatError('文件不是有效的 .xlsx（不是 zip 格式），请用 Excel/WPS 另存为 .xlsx 后再上传')
  const entries = readCentralDirectory(buf)
  const tooBig = () => new FileFormatError(`文件解压后超过 ${Math.round(maxBytes / 1024 / 1024)} MB，拒绝处理`)

  // Cheap first pass on the declared sizes.
  let declared = 0
  for (const e of entries) declared += e.size
  if (declared > maxBytes) throw tooBig()

  // Then the real sizes: inflate with a cap on what is left of the budget.
  let total = 0
  const kept = new Map<string, Buffer>()
  for (const e of entries) {
    const content = inflateEntry(buf, e, Math.max(1, maxBytes - total + 1), tooBig)
    total += content.length
    if (total > maxBytes) throw tooBig()
    const name = e.name.toLowerCase()
    if (keep(name)) kept.set(name, content)
  }
  return kept
}

/** The entry names of a zip (its central directory only; nothing is inflated). Throws FileFormatError when unreadable. */
export function zipEntryNames(buf: Buffer): string[] {
  if (!isZip(buf)) throw corrupt()
  return readCentralDirectory(buf).map((e) => e.name)
}

/** Throws FileFormatError unless `buf` is a plain zip whose entries inflate to at most `maxBytes` in total. */
export function assertSafeZip(buf: Buffer, maxBytes = MAX_UNCOMPRESSED_BYTES): void {
  readSafeZip(buf, () => false, maxBytes)
}

function inflateEntry(buf: Buffer, e: ZipEntry, cap: number, tooBig: () => FileFormatError): Buffer {
  if (e.localOffset + 30 > buf.length || buf.readUInt32LE(e.localOffset) !== LOCAL_SIG) throw corrupt()
  const start = e.localOffset + 30 + buf.readUInt16LE(e.localOffset + 26) + buf.readUInt16LE(e.localOffset + 28)
  const data = buf.subarray(start, start + e.compressedSize)
  if (data.length !== e.compressedSize) throw corrupt()
  if (e.method === 0) return data
  if (e.method !== 8) throw new FileFormatError('不支持的 .xlsx 压缩方式')
  try {
    return inflateRawSync(data, { maxOutputLength: cap })
  } catch (err) {
    if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig()
    throw corrupt()
  }
}

interface ZipEntry {
  name: string
  method: number
  compressedSize: number
  size: number
  localOffset: number
}

function corrupt() {
  return new FileFormatError('.xlsx 文件已损坏，无法读取')
}

function readCentralDirectory(buf: Buffer): ZipEntry[] {
  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw corrupt()
  const count = buf.readUInt16LE(eocd + 10)
  const cdOffset = buf.readUInt32LE(eocd + 16)
  // 0xFFFF/0xFFFFFFFF mean zip64, which no spreadsheet of an acceptable size needs.
  if (count === 0xffff || cdOffset === 0xffffffff) throw new FileFormatError('文件过大（zip64），拒绝处理')
  const entries: ZipEntry[] = []
  let p = cdOffset
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CDIR_SIG) throw corrupt()
    const nameLength = buf.readUInt16LE(p + 28)
    const entry = {
      name: buf.toString('utf8', p + 46, p + 46 + nameLength),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      size: buf.readUInt32LE(p + 24),
      localOffset: buf.readUInt32LE(p + 42),
    }
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff) throw new FileFormatError('文件过大（zip64），拒绝处理')
    entries.push(entry)
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32)
  }
  return entries
}
