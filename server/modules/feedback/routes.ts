import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { perPersonLimit } from '../../lib/http.js'
import { Type } from '@sinclair/typebox'
import { IdParams, withErrors } from '../../lib/schemas.js'
import { FeedbackItem, ListQuery, ReplyBody, SubmitBody, Summary, SummaryQuery } from './schemas.js'
import * as feedback from './service.js'

export const feedbackRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/feedback',
    {
      config: {
        access: 'signed-in',
        rateLimit: perPersonLimit('feedback', 10),
      },
      schema: {
        tags: ['feedback'],
        summary: '提交投诉建议（可匿名）',
        body: SubmitBody,
        response: withErrors({ 201: Type.Object({ id: Type.Integer(), status: Type.Literal('submitted') }) }),
      },
    },
    async (req, reply) =>
      reply.status(201).send((await feedback.submitFeedback(app.deps, req.principal, req.body)) as { id: number; status: 'submitted' }),
  )

  app.get(
    '/feedback',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['feedback'],
        summary: '投诉建议：党员看自己的；书记、管理员看本组织及下级的（mine=true 看自己的）',
        querystring: ListQuery,
        response: withErrors({ 200: Type.Object({ items: Type.Array(FeedbackItem), total: Type.Integer() }) }),
      },
    },
    async (req) => {
      const { page = 1, pageSize = 20, ...filter } = req.query
      return feedback.listFeedback(app.deps, req.principal, { ...filter, page, pageSize })
    },
  )

  app.get(
    '/feedback/summary',
    {
      config: { access: 'admin' },
      schema: { tags: ['feedback'], summary: '投诉建议月度汇总', querystring: SummaryQuery, response: withErrors({ 200: Summary }) },
    },
    async (req) => feedback.feedbackSummary(app.deps, req.query.month),
  )

  app.get(
    '/feedback/:id',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['feedback'],
        summary: '一条投诉建议（本人的，或书记/管理员范围内的）',
        params: IdParams,
        response: withErrors({ 200: FeedbackItem }),
      },
    },
    async (req) => feedback.getFeedback(app.deps, req.principal, req.params.id),
  )

  app.post(
    '/feedback/:id/reply',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['feedback'],
        summary: '答复投诉建议',
        params: IdParams,
        body: ReplyBody,
        response: withErrors({ 200: FeedbackItem, 409: Type.Any() }),
      },
    },
    async (req) => feedback.replyFeedback(app.deps, req.principal, req.params.id, req.body.text),
  )

  app.post(
    '/feedback/:id/close',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['feedback'],
        summary: '办结（提交人随时可办结；工作人员在答复后办结）',
        params: IdParams,
        response: withErrors({ 200: FeedbackItem, 409: Type.Any() }),
      },
    },
    async (req) => feedback.closeFeedback(app.deps, req.principal, req.params.id),
  )
}
