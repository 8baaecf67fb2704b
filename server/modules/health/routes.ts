import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { isSeededDemo } from '../../seed/demo-state.js'
import { processMetrics } from './metrics.js'

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/health', {
    config: { access: 'public' },
    schema: {
      tags: ['health'], summary: '健康检查',
      response: {
        200: Type.Object({
          status: Type.Literal('ok'), db: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
          demo: Type.Boolean({ description: '数据库仍是首次启动生成的演示数据（管理员仍用演示密码）：登录页此时才显示演示账号' }),
        }),
        503: Type.Any(),
      },
    },
  }, async () => {
    // One query: a dead database makes this a 503 via the error handler.
    return { status: 'ok' as const, db: app.dbKind, demo: await isSeededDemo(app.db) }
  })

  const metrics = processMetrics(app)
  app.get('/health/metrics', {
    config: { access: 'admin' },
    schema: { tags: ['health'], summary: '进程指标：内存、CPU、事件循环延迟、连接数（自上次调用以来）' },
  }, async () => metrics())
}
