import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { withFile } from '../../lib/schemas.js'
import { participation } from './service.js'
import { ReportBody, ReportQuery } from './schemas.js'
import { reportXlsx, XLSX_MIME } from './xlsx.js'
import { attachment } from '../../lib/http.js'

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = app.deps
  app.get(
    '/reports/participation',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['reports'],
        summary: '参与情况统计：各下级单位的学习与考试场次、人次（本组织范围）；format=xlsx 导出',
        querystring: ReportQuery,
        response: withFile('统计结果（format=json）；format=xlsx 时为 Excel 文件', [XLSX_MIME], ReportBody),
      },
    },
    async (req, reply) => {
      const { org, from, to, report } = await participation(deps, req.principal, req.query)
      if (req.query.format === 'xlsx') {
        reply.header('content-type', XLSX_MIME)
        reply.header(
          'content-disposition',
          attachment(`参与情况统计-${org.name}-${from}-${to}.xlsx`, `participation-org${org.id}-${from}-${to}.xlsx`),
        )
        return reply.send(await reportXlsx(report))
      }
      return report
    },
  )
}
