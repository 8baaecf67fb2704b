import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { isSeededDemo } from '../../seed/demo-state.js'
import { processMetrics } from './metrics.js'
import { ErrorBody, withErrors } from '../../lib/schemas.js'

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: '健康检查',
        response: {
          200: Type.Object({
            status: Type.Literal('ok'),
            db: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
            demo: Type.Boolean({ description: '数据库仍是首次启动生成的演示数据（管理员仍用演示密码）：登录页此时才显示演示账号' }),
          }),
          503: ErrorBody,
        },
      },
    },
    async () => {
      // One query: a dead database makes this a 503 via the error handler.
      return { status: 'ok' as const, db: app.dbKind, demo: await isSeededDemo(app.deps.db) }
    },
  )

  const metrics = processMetrics(() => app.io?.engine?.clientsCount ?? 0)
  app.addHook('onClose', async () => metrics.close())
  app.get(
    '/health/metrics',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['health'],
        summary: '进程指标：内存、CPU、事件循环延迟、连接数（自上次调用以来）',
        response: withErrors({
          200: Type.Object({
            rssMb: Type.Integer(),
            heapUsedMb: Type.Integer(),
            cpuCores: Type.Number({ description: '自上次调用以来的 CPU 占用，以核计（1.0 = 一个核满载）' }),
            eventLoopDelayMs: Type.Object({ p50: Type.Number(), p99: Type.Number(), max: Type.Number() }),
            sockets: Type.Integer(),
          }),
        }),
      },
    },
    async () => metrics.read(),
  )
}
