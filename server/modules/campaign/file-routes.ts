// Thin routes of the campaign ledger's files: photos and attachments of activities, and pictures
// for 简报 and 月工作提示. Only staff in the activity's scope see, add or remove them; uploads are
// limited per person (lib/upload.ts checks each file as it arrives, campaign/media.ts the rest).
import fs from 'node:fs'
import path from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { attachment, perPersonLimit } from '../../lib/http.js'
import { ErrorBody, IdParams, withErrors, withFile } from '../../lib/schemas.js'
import { IMAGE_KINDS, MB, saveUpload } from '../../lib/upload.js'
import {
  activityAttachments,
  activityPhotos,
  addActivityFile,
  ATTACHMENT_KINDS,
  attachmentFile,
  fileDirs,
  IMAGE_HINT,
  MAX_FILES,
  removeActivityFile,
  richTextImage,
  uploadOptions,
} from './media.js'
import { ActivityAttachment, ActivityPhoto, AttachmentParams, PhotoParams, RichTextImage } from './schemas.js'

/** An upload answers 413 when the file is larger than its kind allows, 409/422 when the activity refuses it. */
const Upload = { 409: ErrorBody, 422: ErrorBody, 413: ErrorBody }

export const campaignFileRoutes: FastifyPluginAsyncTypebox<{ dataDir?: string }> = async (app, opts) => {
  const dirs = fileDirs(opts.dataDir ?? path.resolve('data'))
  // Uploads are heavy: a person may send a few a second in a burst, not a stream.
  const uploadLimit = perPersonLimit('upload', 60)

  app.get(
    '/activities/:id/photos',
    {
      config: { access: 'staff' },
      schema: { tags: ['campaign'], summary: '活动照片', params: IdParams, response: withErrors({ 200: Type.Array(ActivityPhoto) }) },
    },
    (req) => activityPhotos(app.deps, req.principal, req.params.id),
  )

  app.post(
    '/activities/:id/photos',
    {
      config: { access: 'staff', rateLimit: uploadLimit },
      schema: {
        tags: ['campaign'],
        summary: `上传活动照片（.jpg / .png / .webp，≤ ${IMAGE_KINDS[0].maxBytes / MB} MB，每个活动最多 ${MAX_FILES.photo} 张），multipart 字段 file`,
        params: IdParams,
        consumes: ['multipart/form-data'],
        response: withErrors({ 201: ActivityPhoto, ...Upload }),
      },
    },
    async (req, reply) => {
      const photo = await addActivityFile(app.deps, req.principal, req.params.id, 'photo', () =>
        saveUpload(req, uploadOptions(dirs, 'photo')),
      )
      return reply.status(201).send(photo)
    },
  )

  app.delete(
    '/activities/:id/photos/:photoId',
    {
      config: { access: 'staff' },
      schema: { tags: ['campaign'], summary: '删除活动照片', params: PhotoParams, response: withErrors({ 204: Type.Null() }) },
    },
    async (req, reply) => {
      await removeActivityFile(app.deps, dirs, req.principal, req.params.id, 'photo', req.params.photoId)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/activities/:id/attachments',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '活动附件',
        params: IdParams,
        response: withErrors({ 200: Type.Array(ActivityAttachment) }),
      },
    },
    (req) => activityAttachments(app.deps, req.principal, req.params.id),
  )

  app.post(
    '/activities/:id/attachments',
    {
      config: { access: 'staff', rateLimit: uploadLimit },
      schema: {
        tags: ['campaign'],
        summary: `上传活动附件（.pdf / .docx / .xlsx / .pptx，≤ ${ATTACHMENT_KINDS[0].maxBytes / MB} MB，每个活动最多 ${MAX_FILES.attachment} 个），multipart 字段 file`,
        params: IdParams,
        consumes: ['multipart/form-data'],
        response: withErrors({ 201: ActivityAttachment, ...Upload }),
      },
    },
    async (req, reply) => {
      const file = await addActivityFile(app.deps, req.principal, req.params.id, 'attachment', () =>
        saveUpload(req, uploadOptions(dirs, 'attachment')),
      )
      return reply.status(201).send(file)
    },
  )

  app.get(
    '/activities/:id/attachments/:attachmentId',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '下载活动附件（总是以附件下载，不在浏览器中打开）',
        params: AttachmentParams,
        response: withFile(
          '附件文件',
          ATTACHMENT_KINDS.map((k) => k.contentType),
        ),
      },
    },
    async (req, reply) => {
      const found = await attachmentFile(app.deps, dirs, req.principal, req.params.id, req.params.attachmentId)
      const ext = path.extname(found.storedName)
      // A download, never a page: its own type, no sniffing, and no scripts or plugins even if opened.
      reply.header('content-type', found.contentType)
      reply.header('content-length', found.bytes)
      reply.header('content-disposition', attachment(found.name, `activity-${req.params.id}-attachment-${req.params.attachmentId}${ext}`))
      reply.header('x-content-type-options', 'nosniff')
      reply.header('content-security-policy', "default-src 'none'; sandbox")
      reply.header('cache-control', 'private, no-store')
      return reply.send(fs.createReadStream(found.file))
    },
  )

  app.delete(
    '/activities/:id/attachments/:attachmentId',
    {
      config: { access: 'staff' },
      schema: { tags: ['campaign'], summary: '删除活动附件', params: AttachmentParams, response: withErrors({ 204: Type.Null() }) },
    },
    async (req, reply) => {
      await removeActivityFile(app.deps, dirs, req.principal, req.params.id, 'attachment', req.params.attachmentId)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/campaign/images',
    {
      config: { access: 'staff', rateLimit: uploadLimit },
      schema: {
        tags: ['campaign'],
        summary: `上传简报、工作提示中的图片（.jpg / .png / .webp，≤ ${IMAGE_KINDS[0].maxBytes / MB} MB），multipart 字段 file`,
        consumes: ['multipart/form-data'],
        response: withErrors({ 201: RichTextImage, 413: ErrorBody }),
      },
    },
    async (req, reply) => {
      const saved = await saveUpload(req, { dir: dirs.photos, kinds: IMAGE_KINDS, hint: IMAGE_HINT })
      return reply.status(201).send(await richTextImage(app.deps, req.principal, saved))
    },
  )
}
