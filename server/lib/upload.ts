// Uploads: the one reader of a multipart request's single file (field `file`), with two sinks.
// `readUpload` keeps a small import (xlsx, csv) in memory for parsing; `saveUpload` streams a file
// to disk under a random name, checking its signature (magic bytes) on the way and its size as it
// arrives, so a file that is not what its name says, or is too large, is never stored.
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FastifyRequest } from 'fastify'
import type { MultipartFile } from '@fastify/multipart'
import { AppError, validationError } from './errors.js'
import { zipEntryNames } from './sheets/zip.js'

export const MB = 1024 * 1024
export const MAX_UPLOAD_BYTES = 30 * MB

/** One kind of file we accept: its extensions, its type when served, and how to recognise it. */
export interface FileKind {
  /** The extension a stored file gets (`.jpg`); `aliases` are other spellings accepted on upload (`.jpeg`). */
  ext: string
  aliases?: string[]
  contentType: string
  /** How a person names it in a message: “MP4 视频”. */
  label: string
  maxBytes: number
  /** True when the first bytes of a file are this kind's signature (HEAD_BYTES are given when the file has them). */
  matches: (head: Buffer) => boolean
  /** A deeper check of the whole stored file (an Office file is a zip holding its main part). */
  verify?: (file: string) => Promise<boolean>
}

const ascii = (b: Buffer, from: number, to: number) => b.subarray(from, to).toString('latin1')
const ZIP_SIGNATURE = (h: Buffer) => h.length >= 4 && h.readUInt32LE(0) === 0x04034b50

export const IMAGE_KINDS: FileKind[] = [
  {
    ext: '.jpg',
    aliases: ['.jpeg'],
    contentType: 'image/jpeg',
    label: 'JPG 图片',
    maxBytes: 5 * MB,
    matches: (h) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  },
  {
    ext: '.png',
    contentType: 'image/png',
    label: 'PNG 图片',
    maxBytes: 5 * MB,
    matches: (h) => h.length >= 8 && h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    ext: '.webp',
    contentType: 'image/webp',
    label: 'WEBP 图片',
    maxBytes: 5 * MB,
    matches: (h) => h.length >= 12 && ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'WEBP',
  },
]

export const VIDEO_KINDS: FileKind[] = [
  {
    ext: '.mp4',
    contentType: 'video/mp4',
    label: 'MP4 视频',
    maxBytes: 500 * MB,
    matches: (h) => h.length >= 12 && ascii(h, 4, 8) === 'ftyp',
  },
  {
    ext: '.webm',
    contentType: 'video/webm',
    label: 'WEBM 视频',
    maxBytes: 500 * MB,
    matches: (h) => h.length >= 4 && h.readUInt32BE(0) === 0x1a45dfa3,
  },
]

/** An Office Open XML file: a zip whose entries include its main part and no macros. */
const officeKind = (ext: string, contentType: string, label: string, mainPart: string): FileKind => ({
  ext,
  contentType,
  label,
  maxBytes: 20 * MB,
  matches: ZIP_SIGNATURE,
  verify: async (file) => {
    let names: string[]
    try {
      names = zipEntryNames(await fs.promises.readFile(file))
    } catch {
      return false
    }
    return names.includes('[Content_Types].xml') && names.includes(mainPart) && !names.some((n) => /vbaProject\.bin$/i.test(n))
  },
})

/** Documents attached to a record: downloaded, never shown in the page. */
export const DOCUMENT_KINDS: FileKind[] = [
  {
    ext: '.pdf',
    contentType: 'application/pdf',
    label: 'PDF 文档',
    maxBytes: 20 * MB,
    matches: (h) => h.length >= 5 && ascii(h, 0, 5) === '%PDF-',
  },
  officeKind('.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'Word 文档', 'word/document.xml'),
  officeKind('.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Excel 表格', 'xl/workbook.xml'),
  officeKind(
    '.pptx',
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'PowerPoint 演示文稿',
    'ppt/presentation.xml',
  ),
]

/** Bytes needed before any signature can be judged. */
const HEAD_BYTES = 12

/** Where media served at `/media/<name>` live. */
export const uploadsDir = (dataDir: string) => path.join(dataDir, 'uploads')
/** The names `saveUpload` gives media (32 hex digits and an extension): nothing else is served at `/media`. */
export const MEDIA_NAME = /^[a-f0-9]{32}\.(mp4|webm|jpg|png|webp)$/
/** An image this site stored: the only picture source rich text may carry. */
export const OWN_IMAGE_URL = /^\/media\/[a-f0-9]{32}\.(jpg|png|webp)$/

const fileError = (message: string) => validationError(message, [{ field: 'file', message }])
const tooLarge = (limit: number) =>
  new AppError(413, 'PAYLOAD_TOO_LARGE', `文件超过 ${Math.round((limit / MB) * 10) / 10} MB 上限`, [{ field: 'file', message: '文件过大' }])

/** The request's one file part, its byte limit set before a byte is read. */
async function openPart(req: FastifyRequest, maxBytes: number): Promise<MultipartFile> {
  if (!req.isMultipart()) throw fileError('请以 multipart/form-data 上传文件（字段 file）')
  const part = await req.file({ limits: { fileSize: maxBytes, files: 1 } })
  if (!part) throw fileError('请上传文件（字段 file）')
  return part
}

/** The file's name as the person had it: no folders, no control characters, at most 120 characters. */
export function cleanFilename(raw: string | undefined, fallback: string): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? ''
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '')
    .replace(/^[.\s]+/, '')
    .trim()
  if (!cleaned) return fallback
  if (cleaned.length <= 120) return cleaned
  const ext = path.extname(cleaned).slice(0, 10)
  return cleaned.slice(0, 120 - ext.length) + ext
}

/** Reads the request's file into memory (imports: small files parsed whole). */
export async function readUpload(req: FastifyRequest, allowed: string[]): Promise<{ buffer: Buffer; filename: string }> {
  const part = await openPart(req, MAX_UPLOAD_BYTES)
  const ext = path.extname(part.filename || '').toLowerCase()
  if (!allowed.includes(ext)) {
    part.file.resume()
    throw fileError(`不支持的文件类型“${ext || '无扩展名'}”，请上传 ${allowed.join(' / ')} 文件`)
  }
  let buffer: Buffer
  try {
    buffer = await part.toBuffer()
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge(MAX_UPLOAD_BYTES)
    throw err
  }
  if (!buffer.length) throw fileError('上传的文件是空的')
  return { buffer, filename: part.filename }
}

export interface SavedFile {
  /** The stored name (`<32 hex>.<ext>`), unrelated to the uploaded name. */
  name: string
  /** Its full path on disk. */
  file: string
  bytes: number
  contentType: string
  kind: FileKind
  /** The uploaded name, cleaned for showing and for a download's Content-Disposition. */
  originalName: string
}

/**
 * Streams the request's one file into `dir` as `<random>.<ext>`. The bytes pass through a counter
 * that also checks the signature; a bad or oversized file is drained and discarded (the client
 * gets its 4xx after sending, never a reset connection) and nothing is left on disk.
 * `hint` names what is accepted, for the message about an unsupported type.
 */
export async function saveUpload(req: FastifyRequest, opts: { dir: string; kinds: FileKind[]; hint: string }): Promise<SavedFile> {
  const byExt = new Map<string, FileKind>()
  for (const k of opts.kinds) for (const e of [k.ext, ...(k.aliases ?? [])]) byExt.set(e, k)
  const part = await openPart(req, Math.max(...opts.kinds.map((k) => k.maxBytes)))
  const ext = path.extname(part.filename || '').toLowerCase()
  const kind = byExt.get(ext)
  if (!kind) {
    part.file.resume()
    throw fileError(`不支持的文件类型“${ext || '无扩展名'}”，${opts.hint}`)
  }
  const limit = kind.maxBytes
  await fs.promises.mkdir(opts.dir, { recursive: true })
  const name = `${randomBytes(16).toString('hex')}${kind.ext}`
  const finalPath = path.join(opts.dir, name)
  const tempPath = `${finalPath}.part`

  let bytes = 0
  let head = Buffer.alloc(0)
  let problem: 'signature' | 'size' | null = null
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (problem) return done() // drain: keep reading the request, write nothing
      bytes += chunk.length
      if (bytes > limit) {
        problem = 'size'
        return done()
      }
      if (head.length < HEAD_BYTES) {
        head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)])
        if (head.length >= HEAD_BYTES && !kind.matches(head)) {
          problem = 'signature'
          return done()
        }
      }
      done(null, chunk)
    },
    flush(done) {
      if (!problem && bytes > 0 && !kind.matches(head)) problem = 'signature'
      done()
    },
  })

  let verified = true
  try {
    await pipeline(part.file, check, fs.createWriteStream(tempPath, { flags: 'wx' }))
    if (!problem && bytes > 0 && !part.file.truncated && kind.verify) verified = await kind.verify(tempPath)
  } catch (err) {
    await fs.promises.rm(tempPath, { force: true })
    throw err
  }
  // (Set inside the stream's callbacks, which the compiler does not follow.)
  const found = problem as 'signature' | 'size' | null
  const oversize = found === 'size' || part.file.truncated
  if (oversize || found || !verified || bytes === 0) {
    await fs.promises.rm(tempPath, { force: true })
    if (oversize) throw tooLarge(limit)
    if (bytes === 0) throw fileError('上传的文件是空的')
    throw fileError(`文件内容不是有效的 ${kind.label}（与扩展名 ${kind.ext} 不符）`)
  }
  await fs.promises.rename(tempPath, finalPath)
  return {
    name,
    file: finalPath,
    bytes,
    contentType: kind.contentType,
    kind,
    originalName: cleanFilename(part.filename, `file${kind.ext}`),
  }
}
