import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { sql } from 'kysely'
import { processMetrics } from './metrics.js'

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    config: { access: 'public' },
    schema: {
      tags: ['health'], summary: '健康检查',
      response: { 200: Type.Object({ status: Type.Literal('ok'), db: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]) }), 503: Type.Any() },
    },
  }, async () => {
    await sql`select 1`.execute(app.db) // a dead database makes this a 503 via the error handler
    return { status: 'ok' as const, db: app.dbKind }
  })

  const metrics = processMetrics(app)
  app.get('/health/metrics', {
    config: { access: 'admin' },
    schema: { tags: ['health'], summary: '进程指标：内存、CPU、事件循环延迟、连接数（自上次调用以来）' },
  }, async () => metrics())
}
