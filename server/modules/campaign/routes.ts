// Thin routes of the campaign ledger. Staff (admins, secretaries for their subtree) record and
// tally; anyone signed in may sign in to an activity with its code.
import fs from 'node:fs'
import path from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { audit } from '../../lib/audit.js'
import { Type } from '@sinclair/typebox'
import { attachment, perPersonLimit } from '../../lib/http.js'
import { ErrorBody, IdParams, withErrors, withFile, XLSX_MIME } from '../../lib/schemas.js'
import { IMAGE_KINDS, saveUpload } from '../../lib/upload.js'
import {
  activityParticipants,
  addActivityParticipants,
  createActivity,
  deleteActivity,
  getActivity,
  listActivities,
  removeActivityParticipant,
  updateActivity,
} from './activities.js'
import { column, getBriefing, listBriefings, readColumnItem, reviewBriefing, submitBriefing } from './briefings.js'
import { bulletinReceipts, issueBulletin, listBulletins, readBulletin } from './bulletins.js'
import { checkIn, issueCheckinCode } from './checkin.js'
import {
  activityAttachments,
  activityPhotos,
  addActivityFile,
  ATTACHMENT_KINDS,
  attachmentFile,
  discardFiles,
  fileDirs,
  MAX_FILES,
  removeActivityFile,
  uploadOptions,
} from './media.js'
import { ledgerXlsx } from './ledger-xlsx.js'
import { parsePeriod } from './period.js'
import { campaignReport, reportDocx, DOCX_MIME } from './report.js'
import { reportPhotos } from './report-photos.js'
import {
  ActivityAttachment,
  ActivityBody,
  ActivityCreate,
  ActivityPhoto,
  ActivityList,
  ActivityQuery,
  ActivityUpdate,
  AttachmentParams,
  BriefingBody,
  BriefingCreate,
  BriefingQuery,
  BriefingReview,
  BulletinBody,
  BulletinCreate,
  BulletinReceipt,
  CheckinAnswer,
  CheckinCodeBody,
  CheckinRequest,
  ParticipantRow,
  ParticipantsBody,
  PhotoParams,
  ReportBody,
  RichTextImage,
  ReportQuery,
  TallyBody,
  TallyQuery,
  TaskBody,
  TaskCreate,
  TaskDone,
  TaskQuery,
} from './schemas.js'
import { tally } from './tally.js'
import { createTask, listTasks, markTaskDone } from './tasks.js'

const Conflict = { 409: ErrorBody, 422: ErrorBody }
/** An upload also answers 413 when the file is larger than its kind allows. */
const Upload = { ...Conflict, 413: ErrorBody }
const MB = 1024 * 1024

export const campaignRoutes: FastifyPluginAsyncTypebox<{ dataDir?: string }> = async (app, opts) => {
  const dirs = fileDirs(opts.dataDir ?? path.resolve('data'))
  // Uploads are heavy: a person may send a few a second in a burst, not a stream.
  const uploadLimit = perPersonLimit('upload', 60)
  app.post(
    '/activities',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '登记活动（宣讲、主题党日、集中研讨等）',
        body: ActivityCreate,
        response: withErrors({ 201: ActivityBody, ...Conflict }),
      },
    },
    async (req, reply) => reply.status(201).send(await createActivity(app.deps, req.principal, req.body)),
  )

  app.get(
    '/activities',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '活动台账列表（本组织范围）',
        querystring: ActivityQuery,
        response: withErrors({ 200: ActivityList, ...Conflict }),
      },
    },
    (req) => listActivities(app.deps, req.principal, req.query),
  )

  app.get(
    '/activities/tally',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '场次、人次统计：按类型、按直属下级（含其下级）',
        querystring: TallyQuery,
        response: withErrors({ 200: TallyBody, ...Conflict }),
      },
    },
    (req) => tally(app.deps, req.principal, req.query, parsePeriod(req.query.from, req.query.to)),
  )

  app.get(
    '/activities/ledger.xlsx',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '导出活动台账（每个活动一行，另附各单位分类型汇总）',
        querystring: TallyQuery,
        response: withFile('活动台账（Excel）', [XLSX_MIME]),
      },
    },
    async (req, reply) => {
      const { buffer, orgName } = await ledgerXlsx(app.deps, req.principal, req.query)
      await audit(app.deps.db, req.principal.userId, 'export.ledger', 'org', req.query.orgId ?? null, { orgName })
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment(`活动台账-${orgName}.xlsx`, 'campaign-ledger.xlsx'))
      return reply.send(buffer)
    },
  )

  app.post(
    '/activities/checkin',
    {
      config: {
        access: 'signed-in',
        rateLimit: perPersonLimit('checkin', 20),
      },
      schema: {
        tags: ['campaign'],
        summary: '扫码或输入签到码签到（重复签到无影响）',
        body: CheckinRequest,
        response: withErrors({ 200: CheckinAnswer, ...Conflict }),
      },
    },
    (req) => checkIn(app.deps, req.principal, req.body.code),
  )

  app.get(
    '/activities/:id',
    {
      config: { access: 'staff' },
      schema: { tags: ['campaign'], summary: '活动详情', params: IdParams, response: withErrors({ 200: ActivityBody }) },
    },
    (req) => getActivity(app.deps, req.principal, req.params.id),
  )

  app.patch(
    '/activities/:id',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '修改活动',
        params: IdParams,
        body: ActivityUpdate,
        response: withErrors({ 200: ActivityBody, ...Conflict }),
      },
    },
    (req) => updateActivity(app.deps, req.principal, req.params.id, req.body),
  )

  app.delete(
    '/activities/:id',
    {
      config: { access: 'staff' },
      schema: { tags: ['campaign'], summary: '删除活动', params: IdParams, response: withErrors({ 204: Type.Null() }) },
    },
    async (req, reply) => {
      const files = await deleteActivity(app.deps, req.principal, req.params.id)
      await discardFiles(dirs, files, app.deps)
      return reply.status(204).send(null)
    },
  )

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

  app.get(
    '/activities/:id/participants',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '参加人员与签到情况',
        params: IdParams,
        response: withErrors({ 200: Type.Array(ParticipantRow) }),
      },
    },
    (req) => activityParticipants(app.deps, req.principal, req.params.id),
  )

  app.post(
    '/activities/:id/participants',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '从花名册登记参加人员（重复只计一次）',
        params: IdParams,
        body: ParticipantsBody,
        response: withErrors({ 200: Type.Object({ attendance: Type.Integer() }), ...Conflict }),
      },
    },
    (req) => addActivityParticipants(app.deps, req.principal, req.params.id, req.body.userIds),
  )

  app.delete(
    '/activities/:id/participants/:userId',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '移除参加人员',
        params: Type.Object({ id: IdParams.properties.id, userId: IdParams.properties.id }),
        response: withErrors({ 200: Type.Object({ attendance: Type.Integer() }) }),
      },
    },
    (req) => removeActivityParticipant(app.deps, req.principal, req.params.id, req.params.userId),
  )

  app.post(
    '/activities/:id/checkin-code',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '生成签到码和二维码（数分钟后失效，屏幕自动轮换）',
        params: IdParams,
        response: withErrors({ 200: CheckinCodeBody, ...Conflict }),
      },
    },
    (req) => issueCheckinCode(app.deps, req.principal, req.params.id, `${req.protocol}://${req.host}`),
  )

  app.post(
    '/tasks',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['campaign'],
        summary: '下发任务清单事项',
        body: TaskCreate,
        response: withErrors({ 201: Type.Object({ id: Type.Integer() }), ...Conflict }),
      },
    },
    async (req, reply) => reply.status(201).send(await createTask(app.deps, req.principal, req.body)),
  )

  app.get(
    '/tasks',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '任务清单及各单位完成情况（本组织范围）',
        querystring: TaskQuery,
        response: withErrors({ 200: Type.Array(TaskBody) }),
      },
    },
    (req) => listTasks(app.deps, req.principal, req.query.orgId),
  )

  app.post(
    '/tasks/:id/done',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '办结任务（本单位）',
        params: IdParams,
        body: TaskDone,
        response: withErrors({
          200: Type.Object({ id: Type.Integer(), orgId: Type.Integer(), status: Type.Literal('done'), doneAt: Type.String() }),
          ...Conflict,
        }),
      },
    },
    (req) => markTaskDone(app.deps, req.principal, req.params.id, req.body),
  )

  app.get(
    '/reports/campaign',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign', 'reports'],
        summary: '学习教育情况报告（由台账数据生成）；format=docx 导出 Word',
        querystring: ReportQuery,
        response: withFile('报告（format=json）；format=docx 时为 Word 文件', [DOCX_MIME], ReportBody),
      },
    },
    async (req, reply) => {
      const report = await campaignReport(app.deps, req.principal, req.query)
      if (req.query.format !== 'docx') return report
      reply.header('content-type', DOCX_MIME)
      reply.header('content-disposition', attachment(`${report.title}.docx`, `campaign-report-org${report.orgId}.docx`))
      return reply.send(await reportDocx(report, await reportPhotos(app.deps, dirs, req.principal, req.query)))
    },
  )

  app.post(
    '/campaign/bulletins',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['campaign'],
        summary: '发布月工作提示（自动编为第N期，发往所有单位）',
        body: BulletinCreate,
        response: withErrors({ 201: Type.Object({ id: Type.Integer(), issueNo: Type.Integer() }), ...Conflict }),
      },
    },
    async (req, reply) => reply.status(201).send(await issueBulletin(app.deps, req.principal, req.body)),
  )

  app.get(
    '/campaign/bulletins',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['campaign'],
        summary: '月工作提示列表（本人是否已读；管理人员另见本组织已读人数）',
        response: withErrors({ 200: Type.Array(BulletinBody) }),
      },
    },
    (req) => listBulletins(app.deps, req.principal),
  )

  app.post(
    '/campaign/bulletins/:id/read',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['campaign'],
        summary: '阅读月工作提示（首次阅读记为回执）',
        params: IdParams,
        response: withErrors({ 200: BulletinBody }),
      },
    },
    (req) => readBulletin(app.deps, req.principal, req.params.id),
  )

  app.get(
    '/campaign/bulletins/:id/receipts',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '月工作提示阅读回执（按单位）',
        params: IdParams,
        querystring: Type.Object({ orgId: Type.Optional(IdParams.properties.id) }),
        response: withErrors({ 200: Type.Array(BulletinReceipt) }),
      },
    },
    (req) => bulletinReceipts(app.deps, req.principal, req.params.id, req.query.orgId),
  )

  app.post(
    '/campaign/briefings',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '报送学习教育工作简报',
        body: BriefingCreate,
        response: withErrors({ 201: Type.Object({ id: Type.Integer() }), ...Conflict }),
      },
    },
    async (req, reply) => reply.status(201).send(await submitBriefing(app.deps, req.principal, req.body)),
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
      const saved = await saveUpload(req, { dir: dirs.photos, kinds: IMAGE_KINDS, hint: '图片请上传 .jpg / .png / .webp' })
      const url = `/media/${saved.name}`
      await audit(app.deps.db, req.principal.userId, 'campaign.image', 'media', url, { bytes: saved.bytes, name: saved.originalName })
      return reply.status(201).send({ url, bytes: saved.bytes, contentType: saved.contentType })
    },
  )

  app.get(
    '/campaign/briefings',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '简报列表（本组织范围）',
        querystring: BriefingQuery,
        response: withErrors({ 200: Type.Array(BriefingBody) }),
      },
    },
    (req) => listBriefings(app.deps, req.principal, req.query),
  )

  app.get(
    '/campaign/briefings/:id',
    {
      config: { access: 'staff' },
      schema: { tags: ['campaign'], summary: '简报详情（本组织范围）', params: IdParams, response: withErrors({ 200: BriefingBody }) },
    },
    (req) => getBriefing(app.deps, req.principal, req.params.id),
  )

  app.post(
    '/campaign/briefings/:id/review',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['campaign'],
        summary: '审核简报：刊登到专栏或退回（由上级办理）',
        params: IdParams,
        body: BriefingReview,
        response: withErrors({ 200: BriefingBody, ...Conflict }),
      },
    },
    (req) => reviewBriefing(app.deps, req.principal, req.params.id, req.body),
  )

  app.get(
    '/campaign/column',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['campaign'], summary: '学习教育专栏：已刊登的简报', response: withErrors({ 200: Type.Array(BriefingBody) }) },
    },
    () => column(app.deps),
  )

  app.get(
    '/campaign/column/:id',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['campaign'], summary: '阅读专栏文章（计入阅读数）', params: IdParams, response: withErrors({ 200: BriefingBody }) },
    },
    (req) => readColumnItem(app.deps, req.principal, req.params.id),
  )
}
