import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { isSeededDemo } from '../../seed/demo-state.js'
import { processMetrics } from './metrics.js'
import type { PoolReading } from '../../db/pool-meter.js'
import { ErrorBody, withErrors } from '../../lib/schemas.js'

const Percentiles = (description?: string) =>
  Type.Object({ p50: Type.Number(), p99: Type.Number(), max: Type.Number() }, description ? { description: `${description}（毫秒）` } : {})

export const healthRoutes: FastifyPluginAsyncTypebox<{ poolReading?: () => PoolReading }> = async (app, opts) => {
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

  const metrics = processMetrics(() => app.io?.engine?.clientsCount ?? 0, opts.poolReading)
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
            eventLoopDelayMs: Percentiles(),
            sockets: Type.Integer(),
            databasePool: Type.Optional(
              Type.Object(
                {
                  size: Type.Integer(),
                  waitingMax: Type.Integer({ description: '同一时刻排队等连接的请求数最大值' }),
                  checkouts: Type.Integer({ description: '取用连接的次数' }),
                  waitMs: Percentiles('从要连接到拿到连接'),
                  heldMs: Percentiles('拿到连接到归还：语句执行加读到回复'),
                },
                { description: 'PostgreSQL 共享连接池（嵌入式数据库时没有）' },
              ),
            ),
          }),
        }),
      },
    },
    async () => metrics.read(),
  )
}
