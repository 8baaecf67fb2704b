// Thin routes of the campaign ledger. Staff (admins, secretaries for their subtree) record and
// tally; anyone signed in may sign in to an activity with its code. Photos, attachments and pictures
// for 简报 have their own routes (file-routes.ts).
import path from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { audit } from '../../lib/audit.js'
import { Type } from '@sinclair/typebox'
import { attachment, perPersonLimit } from '../../lib/http.js'
import { ErrorBody, IdParams, withErrors, withFile, XLSX_MIME } from '../../lib/schemas.js'
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
import { discardFiles, fileDirs } from './media.js'
import { ledgerXlsx } from './ledger-xlsx.js'
import { parsePeriod } from './period.js'
import { campaignReport, reportDocx, DOCX_MIME } from './report.js'
import { reportPhotos } from './report-photos.js'
import {
  ActivityBody,
  ActivityCreate,
  ActivityList,
  ActivityQuery,
  ActivityUpdate,
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
  ReportBody,
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

export const campaignRoutes: FastifyPluginAsyncTypebox<{ dataDir?: string }> = async (app, opts) => {
  const dirs = fileDirs(opts.dataDir ?? path.resolve('data'))
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
