// A person's own notifications: list, unread count, mark read. Nobody reads another's.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { notFound } from '../../lib/errors.js'
import { IdParams, withErrors } from '../../lib/schemas.js'
import { listNotifications, markAllRead, markRead, toNotificationDto, unreadCount } from './queries.js'
import { NotificationBody, NotificationQuery, ReadAllResult, UnreadCount } from './schemas.js'

export const notificationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = app.deps

  app.get(
    '/notifications',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['notifications'],
        summary: '我的通知，最新在前',
        querystring: NotificationQuery,
        response: withErrors({ 200: Type.Array(NotificationBody) }),
      },
    },
    async (req) =>
      (await listNotifications(deps.db, req.principal.userId, { unread: req.query.unread, limit: req.query.limit ?? 50 })).map(
        toNotificationDto,
      ),
  )

  app.get(
    '/notifications/unread-count',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['notifications'], summary: '未读通知数（角标）', response: withErrors({ 200: UnreadCount }) },
    },
    async (req) => ({ unread: await unreadCount(deps.db, req.principal.userId) }),
  )

  app.post(
    '/notifications/:id/read',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['notifications'], summary: '标为已读', params: IdParams, response: withErrors({ 204: Type.Null() }) },
    },
    async (req, reply) => {
      if (!(await markRead(deps.db, req.principal.userId, req.params.id, deps.clock.now()))) throw notFound('通知')
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/notifications/read-all',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['notifications'], summary: '全部标为已读', response: withErrors({ 200: ReadAllResult }) },
    },
    async (req) => ({ updated: await markAllRead(deps.db, req.principal.userId, deps.clock.now()) }),
  )
}
