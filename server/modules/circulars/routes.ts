// Thin routes of the 通报 of organised work (/api/bulletins). Admins run it and edit its wording;
// every recipient (secretaries, admins) lists and downloads only her own.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { attachment, perPersonLimit } from '../../lib/http.js'
import { IdParams, withErrors, withFile, XLSX_MIME } from '../../lib/schemas.js'
import { CircularItem, RunBody, RunResult, TemplateBody, TemplateInput } from './schemas.js'
import { circularWorkbook, listOwnCirculars, runOnDemand } from './service.js'
import { readTemplate, saveTemplate, templateBody } from './template.js'

export const circularRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = app.deps

  app.post(
    '/bulletins/run',
    {
      config: { access: 'admin', rateLimit: perPersonLimit('bulletins-run', 10) },
      schema: {
        tags: ['bulletins'],
        summary: '立即生成并发送组织工作通报（上一个完整的周或月）',
        description:
          '每位书记收到本组织及下级组织的通报，管理员收到全厅的：期间内截止的集中测试的参考情况和缺考名单、到期任务清单的各单位完成情况、' +
          '学习活动场次/人次、各单位人均参加活动人次排名；学习积分只以分段人数出现（threshold 为分段线），只有合规设置开启个人积分名单时' +
          '附件才列出低于分段线者（写入审计日志）。以通知送达，附 Excel。同一期间每人只发一次：重复运行、定时任务（每周一 08:00 发上周的，' +
          '每月 1 日 08:00 发上月的）都不会重复发送。',
        body: RunBody,
        response: withErrors({ 200: RunResult }),
      },
    },
    (req) => runOnDemand(deps, req.principal, req.body),
  )

  app.get(
    '/bulletins',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['bulletins'],
        summary: '我收到的组织工作通报，期间最新的在前',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
        response: withErrors({ 200: Type.Array(CircularItem) }),
      },
    },
    (req) => listOwnCirculars(deps, req.principal, req.query.limit ?? 50),
  )

  app.get(
    '/bulletins/template',
    {
      config: { access: 'admin' },
      schema: { tags: ['bulletins'], summary: '通报模板（标题、正文与可用占位符）', response: withErrors({ 200: TemplateBody }) },
    },
    async () => templateBody(await readTemplate(deps.db)),
  )

  app.put(
    '/bulletins/template',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['bulletins'],
        summary: '修改通报模板；未知的占位符 → 400 并列出',
        body: TemplateInput,
        response: withErrors({ 200: TemplateBody }),
      },
    },
    (req) => saveTemplate(deps, req.principal, req.body),
  )

  app.get(
    '/bulletins/:id/xlsx',
    {
      config: { access: 'staff', rateLimit: perPersonLimit('bulletins-xlsx', 30) },
      schema: {
        tags: ['bulletins'],
        summary: '下载我收到的一份通报（Excel）；别人的通报 → 404',
        params: IdParams,
        response: withFile('组织工作通报（Excel）', [XLSX_MIME]),
      },
    },
    async (req, reply) => {
      const { buffer, filename, ascii } = await circularWorkbook(deps, req.principal, req.params.id)
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment(filename, ascii))
      return reply.send(buffer)
    },
  )
}
