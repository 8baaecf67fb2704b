// What staff (and, once released, members) see of an exam's outcome. Every figure is limited to
// the caller's scope: a secretary's rows and counts cover her subtree only.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { audit } from '../../lib/audit.js'
import { Type } from '@sinclair/typebox'
import { attachment } from '../../lib/http.js'
import { IdParams, withErrors, withFile, XLSX_MIME } from '../../lib/schemas.js'
import { scopePrefix } from '../../lib/scope.js'
import { forbidden } from '../../lib/errors.js'
import { leaderboardOpenToMembers, mayStillSit, type ExamCatalog } from '../exams/index.js'
import {
  AnalysisBody,
  AnalysisParams,
  LeaderboardRowBody,
  MonitorBody,
  ResultRowBody,
  ResultsQuery,
  ReviewResult,
  StatsBody,
} from './schemas.js'
import { examResults, examStats, leaderboard, monitor, sendToReview } from './service.js'
import { itemAnalysis } from './analysis.js'
import { leaderboardMode } from '../privacy/index.js'
import { resultsXlsx } from './xlsx.js'

/** The item analysis marks each option right or wrong: not for a secretary who can still sit the exam. */
const TAKER_NO_ANALYSIS = '您也要参加本场考试。等您交完卷且没有剩余作答次数，或考试结束后，才能查看题目分析。'
/** The same rule for the per-question table (its stems are the paper). */
const TAKER_NO_QUESTIONS = '您也要参加本场考试。等您交完卷且没有剩余作答次数，或考试结束后，才能查看各题情况。'

export const resultRoutes: FastifyPluginAsyncTypebox<{ exams: ExamCatalog }> = async (app, { exams }) => {
  const deps = app.deps

  app.get(
    '/exams/:id/results',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['results'],
        summary: '成绩（本组织范围）；format=xlsx 导出 Excel 文件',
        params: IdParams,
        querystring: ResultsQuery,
        response: withFile('每人一行（format=json）；format=xlsx 时为 Excel 文件', [XLSX_MIME], Type.Array(ResultRowBody)),
      },
    },
    async (req, reply) => {
      const { exam, audience } = await exams.inScope(req.principal, req.params.id)
      let rows = await examResults(deps.db, req.principal, exam.id, audience)
      if (req.query.status) rows = rows.filter((r) => r.status === req.query.status)
      // The analysis sheet covers the same people as the rows: the caller's scope, narrowed to the
      // chosen unit when it lies inside it, and nobody when it lies outside.
      let analysisPrefix: string | null = scopePrefix(req.principal)
      if (req.query.orgId) {
        const org = await deps.db.selectFrom('orgs').select('path').where('id', '=', req.query.orgId).executeTakeFirst()
        if (!org) analysisPrefix = null
        else if (org.path.startsWith(analysisPrefix)) analysisPrefix = org.path
        else if (!analysisPrefix.startsWith(org.path)) analysisPrefix = null
        const orgIds = org
          ? new Set((await deps.db.selectFrom('orgs').select('id').where('path', 'like', `${org.path}%`).execute()).map((o) => o.id))
          : new Set<number>()
        rows = rows.filter((r) => orgIds.has(r.orgId))
      }
      if (req.query.format === 'xlsx') {
        reply.header('content-type', XLSX_MIME)
        reply.header('content-disposition', attachment(`${exam.title}-成绩.xlsx`, `exam-${exam.id}-results.xlsx`))
        // A secretary who can still sit the exam gets the rows without the 题目分析 sheet (its key).
        const taker = await mayStillSit(deps, req.principal, exam, audience)
        const items = analysisPrefix === null || taker ? [] : await itemAnalysis(deps.db, exam.id, analysisPrefix)
        // Names and scores leave the system: an export of personal data, on the audit trail.
        await audit(deps.db, req.principal.userId, 'export.results', 'exam', exam.id, { rows: rows.length })
        return reply.send(await resultsXlsx(exam.title, rows, deps.clock.now(), items))
      }
      return rows
    },
  )

  app.get(
    '/exams/:id/leaderboard',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['results'],
        summary: '排行榜：按分数，分数相同按用时',
        params: IdParams,
        response: withErrors({ 200: Type.Array(LeaderboardRowBody) }),
      },
    },
    async (req) => {
      const { exam } = await exams.inScope(req.principal, req.params.id)
      await leaderboardMode(deps.db) // leaderboards switched off by the deployment: 403 LEADERBOARDS_OFF
      if (req.principal.role === 'member') return leaderboardOpenToMembers(exam, deps.clock.now()) ? leaderboard(deps.db, exam.id, '/') : []
      return leaderboard(deps.db, exam.id, scopePrefix(req.principal))
    },
  )

  app.get(
    '/exams/:id/monitor',
    {
      config: { access: 'staff' },
      schema: { tags: ['results'], summary: '考试进度（本组织范围）', params: IdParams, response: withErrors({ 200: MonitorBody }) },
    },
    async (req) => {
      const { exam, audience } = await exams.inScope(req.principal, req.params.id)
      return monitor(deps.db, exam.id, audience, scopePrefix(req.principal))
    },
  )

  app.get(
    '/exams/:id/stats',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['results'],
        summary: '每题正确率与分数分布（本组织范围；本人仍可参加该考试的书记只见分数分布）',
        params: IdParams,
        response: withErrors({ 200: StatsBody }),
      },
    },
    async (req) => {
      const { exam, audience } = await exams.inScope(req.principal, req.params.id)
      const stats = await examStats(deps.db, exam.id, scopePrefix(req.principal))
      // The questions' stems, before she has started: not for a secretary who can still sit it.
      return (await mayStillSit(deps, req.principal, exam, audience))
        ? { ...stats, questions: [], questionsWithheld: TAKER_NO_QUESTIONS }
        : stats
    },
  )

  app.get(
    '/exams/:id/analysis',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['results'],
        summary: '题目分析：通过率、区分度（点二列相关、高低分组）、各选项选择人次与提示（本组织范围；本人仍可参加该考试的书记不可查看）',
        params: IdParams,
        response: withErrors({ 200: AnalysisBody }),
      },
    },
    async (req) => {
      const { exam, audience } = await exams.inScope(req.principal, req.params.id)
      if (await mayStillSit(deps, req.principal, exam, audience)) throw forbidden(TAKER_NO_ANALYSIS)
      return { questions: await itemAnalysis(deps.db, exam.id, scopePrefix(req.principal)) }
    },
  )

  app.post(
    '/exams/:id/analysis/:questionId/review',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['results'],
        summary: '把该题退回题库待审（转为草稿，不再被抽取），附上本场考试的分析数据（留痕）',
        params: AnalysisParams,
        response: withErrors({ 200: ReviewResult }),
      },
    },
    async (req) => {
      await exams.inScope(req.principal, req.params.id)
      return sendToReview(deps, req.principal, req.params.id, req.params.questionId)
    },
  )
}
