import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { withErrors } from '../../lib/schemas.js'
import { forbidden, notFound, unprocessable } from '../../lib/errors.js'
import { orgInScope } from '../../lib/scope.js'
import { dayjs, shanghaiDate, ZONE } from '../../lib/time.js'
import { participationReport } from './queries.js'
import { ReportBody, ReportQuery } from './schemas.js'
import { reportXlsx, XLSX_MIME } from './xlsx.js'
import { attachment } from '../../lib/http.js'

/** Longest range one report may cover, in days (a leap year). */
export const MAX_RANGE_DAYS = 366

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/reports/participation', {
    config: { access: 'staff' },
    schema: {
      tags: ['reports'], summary: '参与情况统计：各下级单位的学习与考试场次、人次（本组织范围）；format=xlsx 导出',
      querystring: ReportQuery,
      response: withErrors({ 200: ReportBody, 422: Type.Any() }),
    },
  }, async (req, reply) => {
    const today = dayjs(app.clock.now()).tz(ZONE)
    const from = req.query.from ?? today.startOf('month').format('YYYY-MM-DD')
    const to = req.query.to ?? (req.query.from ? shanghaiDate(app.clock.now()) : today.endOf('month').format('YYYY-MM-DD'))
    if (from > to) throw unprocessable('开始日期不能晚于结束日期', [{ field: 'from', message: '不能晚于结束日期' }])
    const days = dayjs.tz(to, ZONE).diff(dayjs.tz(from, ZONE), 'day') + 1
    if (days > MAX_RANGE_DAYS) throw unprocessable(`统计区间不能超过 ${MAX_RANGE_DAYS} 天`, [{ field: 'to', message: `距开始日期不能超过 ${MAX_RANGE_DAYS} 天` }])

    const orgs = app.db.selectFrom('orgs').select(['id', 'name', 'path'])
    const org = req.query.orgId !== undefined ? await orgs.where('id', '=', req.query.orgId).executeTakeFirst()
      : req.principal.role === 'admin' ? await orgs.where('parent_id', 'is', null).orderBy('sort').orderBy('id').executeTakeFirst()
        : await orgs.where('id', '=', req.principal.orgId).executeTakeFirst()
    if (!org) throw notFound('组织')
    if (!orgInScope(req.principal, org.path)) throw forbidden('只能查看本组织及下级组织的统计')

    const report = await participationReport(app.db, org, from, to)
    if (req.query.format === 'xlsx') {
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment(`参与情况统计-${org.name}-${from}-${to}.xlsx`, `participation-org${org.id}-${from}-${to}.xlsx`))
      return reply.send(await reportXlsx(report))
    }
    return report
  })
}
