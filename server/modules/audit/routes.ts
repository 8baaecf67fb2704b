import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { withErrors, XLSX_MIME, withFile } from '../../lib/schemas.js'
import { attachment, perPersonLimit } from '../../lib/http.js'
import { audit } from '../../lib/audit.js'
import { AuditPage, AuditQuery } from './schemas.js'
import { searchAudit } from './queries.js'
import { auditXlsx } from './xlsx.js'
import { ACTION_LABELS } from './labels.js'

/** One export holds at most this many rows; narrow the dates for more. */
const EXPORT_MAX = 50_000

// Read-only by design: there is no route that edits or deletes an audit entry, and the database
// refuses UPDATE, DELETE and TRUNCATE on audit_log. Admins and auditors read it.
export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/audit',
    {
      config: { access: 'admin', allowAuditor: true },
      schema: {
        tags: ['audit'],
        summary: '安全审计日志（管理员、审计员）',
        querystring: AuditQuery,
        response: withErrors({ 200: AuditPage }),
      },
    },
    async (req) => {
      const { page = 1, pageSize = 50, ...filter } = req.query
      return searchAudit(app.db, { ...filter, page, pageSize })
    },
  )

  app.get(
    '/audit/actions',
    {
      config: { access: 'admin', allowAuditor: true },
      schema: {
        tags: ['audit'],
        summary: '审计操作类型',
        response: withErrors({ 200: Type.Array(Type.Object({ action: Type.String(), label: Type.String() })) }),
      },
    },
    async () => Object.entries(ACTION_LABELS).map(([action, label]) => ({ action, label })),
  )

  app.get(
    '/audit/export',
    {
      config: {
        access: 'admin',
        allowAuditor: true,
        rateLimit: perPersonLimit('audit-export', 5),
      },
      schema: { tags: ['audit'], summary: '导出审计日志（xlsx）', querystring: AuditQuery, response: withFile('审计日志', [XLSX_MIME]) },
    },
    async (req, reply) => {
      const { page: _page, pageSize: _size, ...filter } = req.query
      const { items, total } = await searchAudit(app.db, { ...filter, page: 1, pageSize: EXPORT_MAX })
      await audit(app.db, req.principal.userId, 'audit.export', 'audit_log', null, { ...filter, rows: items.length, total })
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment('审计日志.xlsx', 'audit-log.xlsx'))
      return reply.send(await auditXlsx(items))
    },
  )
}
