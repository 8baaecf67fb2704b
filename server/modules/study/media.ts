// Media files for study materials: cover images and videos. Uploads are streamed to
// `<dataDir>/uploads/<random>.<ext>` (never buffered whole), checked by their magic bytes, and
// served back at `/media/<name>` with HTTP range requests (videos seek) and a long cache: the
// names are random, so a file never changes under its URL.
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyStatic from '@fastify/static'
import { AppError, validationError } from '../../lib/errors.js'

const MB = 1024 * 1024
export const MAX_VIDEO_BYTES = 500 * MB
export const MAX_IMAGE_BYTES = 5 * MB

interface MediaType {
  ext: string
  contentType: string
  kind: 'video' | 'image'
  /** True when the first bytes of a file are this type's signature. */
  matches: (head: Buffer) => boolean
}

const ascii = (b: Buffer, from: number, to: number) => b.subarray(from, to).toString('latin1')

const TYPES: MediaType[] = [
  { ext: '.mp4', contentType: 'video/mp4', kind: 'video', matches: (h) => h.length >= 12 && ascii(h, 4, 8) === 'ftyp' },
  { ext: '.webm', contentType: 'video/webm', kind: 'video', matches: (h) => h.length >= 4 && h.readUInt32BE(0) === 0x1a45dfa3 },
  {
    ext: '.jpg',
    contentType: 'image/jpeg',
    kind: 'image',
    matches: (h) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  },
  {
    ext: '.png',
    contentType: 'image/png',
    kind: 'image',
    matches: (h) => h.length >= 8 && h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  {
    ext: '.webp',
    contentType: 'image/webp',
    kind: 'image',
    matches: (h) => h.length >= 12 && ascii(h, 0, 4) === 'RIFF' && ascii(h, 8, 12) === 'WEBP',
  },
]
const BY_EXT: Record<string, MediaType> = Object.fromEntries(TYPES.map((t) => [t.ext, t]))
BY_EXT['.jpeg'] = BY_EXT['.jpg']
export const MEDIA_EXTENSIONS = Object.keys(BY_EXT)
/** Bytes needed before a signature can be judged. */
const HEAD_BYTES = 12
/** Served names: what `saveUpload` creates and nothing else (no dots, slashes or dotfiles). */
const NAME_PATTERN = /^[a-f0-9]{32}\.(mp4|webm|jpg|png|webp)$/

export const uploadsDir = (dataDir: string) => path.join(dataDir, 'uploads')

export interface SavedMedia {
  url: string
  bytes: number
  contentType: string
}

const fileError = (message: string) => validationError(message, [{ field: 'file', message }])

/**
 * Streams the request's one file (field `file`) to the uploads folder. The bytes pass through a
 * counter that also checks the signature; a bad or oversized file is drained and discarded, so the
 * client always gets its 4xx after sending, never a reset connection.
 */
export async function saveUpload(req: FastifyRequest, dataDir: string): Promise<SavedMedia> {
  if (!req.isMultipart()) throw fileError('请以 multipart/form-data 上传文件（字段 file）')
  const part = await req.file({ limits: { fileSize: MAX_VIDEO_BYTES, files: 1 } })
  if (!part) throw fileError('请上传文件（字段 file）')
  const ext = path.extname(part.filename || '').toLowerCase()
  const type = BY_EXT[ext]
  if (!type) {
    part.file.resume()
    throw fileError(`不支持的文件类型“${ext || '无扩展名'}”，视频请上传 .mp4 / .webm，图片请上传 .jpg / .png / .webp`)
  }
  const limit = type.kind === 'video' ? MAX_VIDEO_BYTES : MAX_IMAGE_BYTES
  const dir = uploadsDir(dataDir)
  await fs.promises.mkdir(dir, { recursive: true })
  const name = `${randomBytes(16).toString('hex')}${type.ext}`
  const finalPath = path.join(dir, name)
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
        if (head.length >= HEAD_BYTES && !type.matches(head)) {
          problem = 'signature'
          return done()
        }
      }
      done(null, chunk)
    },
    flush(done) {
      if (!problem && bytes > 0 && !type.matches(head)) problem = 'signature'
      done()
    },
  })

  try {
    await pipeline(part.file, check, fs.createWriteStream(tempPath, { flags: 'wx' }))
  } catch (err) {
    await fs.promises.rm(tempPath, { force: true })
    throw err
  }
  const tooLarge = problem === 'size' || part.file.truncated
  if (tooLarge || problem || bytes === 0) {
    await fs.promises.rm(tempPath, { force: true })
    if (tooLarge) throw new AppError(413, 'PAYLOAD_TOO_LARGE', `文件超过 ${limit / MB} MB 上限`, [{ field: 'file', message: '文件过大' }])
    if (bytes === 0) throw fileError('上传的文件是空的')
    throw fileError(`文件内容不是有效的 ${type.ext.slice(1).toUpperCase()} ${type.kind === 'video' ? '视频' : '图片'}（与扩展名不符）`)
  }
  await fs.promises.rename(tempPath, finalPath)
  return { url: `/media/${name}`, bytes, contentType: type.contentType }
}

/**
 * `GET /media/<name>`: static files with `Accept-Ranges: bytes`, 206 partial content and 416 for
 * an unsatisfiable range (all from @fastify/static / send). Public: the names are unguessable.
 */
export async function registerMediaFiles(app: FastifyInstance, dataDir: string) {
  // Created on the first upload; until then every name is a 404.
  const root = uploadsDir(dataDir)
  await app.register(
    async (scope) => {
      const missing = () => new AppError(404, 'NOT_FOUND', '文件不存在')
      // Only names this module made: a `.part` file still being written, or anything else, is a 404.
      scope.addHook('onRequest', async (req) => {
        let name = ''
        try {
          name = decodeURIComponent(req.url.split('?')[0].slice('/media/'.length))
        } catch {
          /* malformed escape */
        }
        if (!NAME_PATTERN.test(name)) throw missing()
      })
      // A well-formed name that is not on disk: a JSON 404, not the SPA's index.html.
      scope.setNotFoundHandler(async () => {
        throw missing()
      })
      // send's 416 carries `Content-Range: bytes */<size>`; keep it, answer in our error shape.
      scope.setErrorHandler((err: Error & { statusCode?: number; headers?: Record<string, string> }, _req, reply) => {
        if (err.statusCode !== 416) throw err // the app's error handler takes the rest
        return reply
          .code(416)
          .headers(err.headers ?? {})
          .send({ error: { code: 'RANGE_NOT_SATISFIABLE', message: '请求的数据范围超出文件大小' } })
      })
      await scope.register(fastifyStatic, {
        root,
        prefix: '/',
        decorateReply: false,
        index: false,
        dotfiles: 'deny',
        acceptRanges: true,
        maxAge: '365d',
        immutable: true,
        schemaHide: true,
        suppressWarning: true,
      })
    },
    { prefix: '/media' },
  )
}
