// Media files: study materials' covers, pictures and videos, and the pictures of the campaign
// ledger. Uploads are streamed to `<dataDir>/uploads/<random>.<ext>` by lib/upload.ts (never
// buffered whole, checked by their magic bytes) and served back here at `/media/<name>` with HTTP
// range requests (videos seek) and a long cache: the names are random, so a file never changes
// under its URL.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fastifyStatic from '@fastify/static'
import { AppError } from '../../lib/errors.js'
import { IMAGE_KINDS, MEDIA_NAME, saveUpload, uploadsDir, VIDEO_KINDS } from '../../lib/upload.js'

export const MAX_VIDEO_BYTES = VIDEO_KINDS[0].maxBytes
export const MAX_IMAGE_BYTES = IMAGE_KINDS[0].maxBytes

export interface SavedMedia {
  url: string
  bytes: number
  contentType: string
}

/** A material's cover, body picture or video, streamed to the uploads folder (lib/upload.ts). */
export async function saveMedia(req: FastifyRequest, dataDir: string): Promise<SavedMedia> {
  const saved = await saveUpload(req, {
    dir: uploadsDir(dataDir),
    kinds: [...VIDEO_KINDS, ...IMAGE_KINDS],
    hint: '视频请上传 .mp4 / .webm，图片请上传 .jpg / .png / .webp',
  })
  return { url: `/media/${saved.name}`, bytes: saved.bytes, contentType: saved.contentType }
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
        if (!MEDIA_NAME.test(name)) throw missing()
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
