// Contest routes: staff create a contest for an org of their subtree, list and read them, read or
// export the standing, and cancel one that has not ended. Hosting and playing run over the socket
// (events.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { audit } from '../../lib/audit.js'
import { Type } from '@sinclair/typebox'
import { IdParams, withErrors, withFile } from '../../lib/schemas.js'
import { scopePrefix } from '../../lib/scope.js'
import { attachment } from '../../lib/http.js'
import { questionsLockedInSubtree, type ExamCatalog } from '../exams/index.js'
import { ContestCreate, ContestCreated, ContestItem, ContestQuery, ContestResultRow } from './schemas.js'
import { cancelContest, contestInScope, createContest, toContestItem } from './service.js'
import { contestResults, listContests, playerCount } from './queries.js'
import { contestXlsx, XLSX_MIME } from './xlsx.js'

export const contestRoutes: FastifyPluginAsyncTypebox<{ exams: ExamCatalog }> = async (app, { exams }) => {
  const lockedIn = (orgPath: string) => questionsLockedInSubtree(app.deps, exams, orgPath)

  app.post(
    '/contests',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['contests'],
        summary: '创建现场竞答（本组织及下级组织）：固定题目或从题库抽题；返回竞答码',
        body: ContestCreate,
        response: withErrors({ 201: ContestCreated }),
      },
    },
    async (req, reply) => reply.status(201).send(await createContest(app.deps, lockedIn, req.principal, req.body)),
  )

  app.get(
    '/contests',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['contests'],
        summary: '现场竞答列表（本组织范围）',
        querystring: ContestQuery,
        response: withErrors({ 200: Type.Array(ContestItem) }),
      },
    },
    async (req) => (await listContests(app.db, scopePrefix(req.principal), req.query)).map(toContestItem),
  )

  app.get(
    '/contests/:id',
    {
      config: { access: 'staff' },
      schema: { tags: ['contests'], summary: '一场现场竞答', params: IdParams, response: withErrors({ 200: ContestItem }) },
    },
    async (req) => {
      const row = await contestInScope(app.deps, req.principal, req.params.id)
      return toContestItem({ ...row, players: await playerCount(app.db, row.id) })
    },
  )

  app.post(
    '/contests/:id/cancel',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['contests'],
        summary: '取消还没有结束的现场竞答（未开始或进行中）：大屏和手机随即停止；已揭晓题目的得分保留，不记入台账',
        params: IdParams,
        response: withErrors({ 200: ContestItem }),
      },
    },
    async (req) => cancelContest(app.deps, req.principal, req.params.id),
  )

  app.get(
    '/contests/:id/results',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['contests'],
        summary: '现场竞答成绩（名次、得分）',
        params: IdParams,
        response: withErrors({ 200: Type.Array(ContestResultRow) }),
      },
    },
    async (req) => {
      const row = await contestInScope(app.deps, req.principal, req.params.id)
      return contestResults(app.db, row.id)
    },
  )

  app.get(
    '/contests/:id/export',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['contests'],
        summary: '导出现场竞答成绩（xlsx）',
        params: IdParams,
        response: withFile('现场竞答成绩', [XLSX_MIME]),
      },
    },
    async (req, reply) => {
      const row = await contestInScope(app.deps, req.principal, req.params.id)
      const results = await contestResults(app.db, row.id)
      const file = await contestXlsx(row, results)
      await audit(app.db, req.principal.userId, 'export.contest', 'contest', row.id, { rows: results.length })
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment(`现场竞答成绩-${row.title}.xlsx`, `contest-${row.id}-results.xlsx`))
      return reply.send(file)
    },
  )
}
