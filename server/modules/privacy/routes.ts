import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, withErrors, XLSX_MIME, withFile } from '../../lib/schemas.js'
import { attachment, perPersonLimit } from '../../lib/http.js'
import { DecideBody, DeletionRequest, DeletionRequestBody, ExportQuery, PrivacyBody, PrivacyState } from './schemas.js'
import * as privacy from './service.js'
import { ownDataXlsx } from './xlsx.js'

export const privacyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/me/privacy',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: '我的隐私设置：排行榜是否显示姓名、是否已阅隐私告知、注销申请',
        response: withErrors({ 200: PrivacyState }),
      },
    },
    async (req) => privacy.privacyState(app.deps, req.principal.userId),
  )

  app.put(
    '/me/privacy',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: '选择是否在排行榜和大屏上显示姓名',
        body: PrivacyBody,
        response: withErrors({ 200: PrivacyBody }),
      },
    },
    async (req) => privacy.setLeaderboardConsent(app.deps, req.principal, req.body.showOnLeaderboards),
  )

  app.get(
    '/me/data',
    {
      config: {
        access: 'signed-in',
        rateLimit: perPersonLimit('me-data', 10),
      },
      schema: {
        tags: ['privacy'],
        summary: '导出本人数据（个人信息、积分、考试、学习、活动、投诉建议、登录记录）',
        querystring: ExportQuery,
        // The JSON is passed through whole (its shape is the export's own, documented in the file).
        response: withFile(
          '本人数据：format=json 为 JSON 文件，format=xlsx 为 Excel 文件',
          [XLSX_MIME],
          Type.Object({}, { additionalProperties: true }),
        ),
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'json'
      const data = await privacy.exportOwnData(app.deps, req.principal, format)
      if (format === 'json') return reply.header('content-disposition', attachment('我的数据.json', 'my-data.json')).send(data)
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment('我的数据.xlsx', 'my-data.xlsx'))
      return reply.send(await ownDataXlsx(data))
    },
  )

  app.post(
    '/me/deletion-request',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['privacy'],
        summary: '申请注销账号（管理员审核后匿名化）',
        body: DeletionRequestBody,
        response: withErrors({ 201: Type.Object({ id: Type.Integer(), status: Type.Literal('pending') }), 409: Type.Any() }),
      },
    },
    async (req, reply) => reply.status(201).send(await privacy.requestDeletion(app.deps, req.principal, req.body.reason)),
  )

  app.get(
    '/privacy/deletion-requests',
    {
      config: { access: 'admin' },
      schema: { tags: ['privacy'], summary: '注销申请列表', response: withErrors({ 200: Type.Array(DeletionRequest) }) },
    },
    async () => privacy.listDeletionRequests(app.deps),
  )

  app.post(
    '/privacy/deletion-requests/:id/decide',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['privacy'],
        summary: '审核注销申请：同意则匿名化账号，统计数据保留',
        params: IdParams,
        body: DecideBody,
        response: withErrors({ 200: DeletionRequest, 409: Type.Any() }),
      },
    },
    async (req) =>
      privacy.decideDeletion(app.deps, req.principal, req.params.id, req.body.approve, req.body.note, (userId) =>
        app.forgetSessions((p) => p.userId === userId),
      ),
  )
}
