import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { perPersonLimit } from '../../lib/http.js'
import { Type } from '@sinclair/typebox'
import { ErrorBody, IdParams, withErrors } from '../../lib/schemas.js'
import { CommentItem, Created, CreateBody, ListQuery, ModerationItem, ModerationQuery, RejectBody, SensitiveWords } from './schemas.js'
import * as comments from './service.js'

export const commentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = app.deps

  app.post(
    '/comments',
    {
      config: {
        access: 'signed-in',
        // A flood guard per node; the hourly limit itself is counted in the database.
        rateLimit: perPersonLimit('comments', 30),
      },
      schema: {
        tags: ['comments'],
        summary: '发表观点（学习资料或专栏文章下），提交后待审核',
        body: CreateBody,
        response: withErrors({ 201: Created, 429: ErrorBody }),
      },
    },
    async (req, reply) => reply.status(201).send(await comments.createComment(deps, req.principal, req.body)),
  )

  app.get(
    '/comments',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['comments'],
        summary: '某篇资料或专栏文章下的观点：已通过的，以及本人的（含待审核、未通过及原因）',
        querystring: ListQuery,
        response: withErrors({ 200: Type.Object({ items: Type.Array(CommentItem), total: Type.Integer() }) }),
      },
    },
    async (req) => {
      const { page = 1, pageSize = 50, ...target } = req.query
      return comments.listComments(deps, req.principal, { ...target, page, pageSize })
    },
  )

  app.get(
    '/comments/moderation',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['comments'],
        summary: '观点审核队列（本组织及下级党员发表的）',
        querystring: ModerationQuery,
        response: withErrors({ 200: Type.Object({ items: Type.Array(ModerationItem), total: Type.Integer() }) }),
      },
    },
    async (req) => {
      const { page = 1, pageSize = 20, status } = req.query
      return comments.moderationQueue(deps, req.principal, { status, page, pageSize })
    },
  )

  app.post(
    '/comments/:id/approve',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['comments'],
        summary: '通过一条观点（展示在原文下，并按“发表观点”规则计分）',
        params: IdParams,
        response: withErrors({ 200: ModerationItem }),
      },
    },
    async (req) => comments.moderate(deps, req.principal, req.params.id, { action: 'approve' }),
  )

  app.post(
    '/comments/:id/reject',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['comments'],
        summary: '不通过一条观点（作者可看到原因）',
        params: IdParams,
        body: RejectBody,
        response: withErrors({ 200: ModerationItem }),
      },
    },
    async (req) => comments.moderate(deps, req.principal, req.params.id, { action: 'reject', reason: req.body.reason }),
  )

  app.get(
    '/comments/sensitive-words',
    {
      config: { access: 'admin' },
      schema: { tags: ['comments'], summary: '敏感词表', response: withErrors({ 200: SensitiveWords }) },
    },
    async () => comments.getSensitiveWords(deps),
  )

  app.put(
    '/comments/sensitive-words',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['comments'],
        summary: '替换敏感词表（整表保存；按 NFKC 归一、忽略空格标点匹配）',
        body: SensitiveWords,
        response: withErrors({ 200: SensitiveWords }),
      },
    },
    async (req) => comments.putSensitiveWords(deps, req.principal, req.body.words),
  )
}
