import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, withErrors } from '../../lib/schemas.js'
import { scopePrefix } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import { checkPaper, drawPaper, type PaperSpec } from './draw.js'
import { publicQuestion } from './paper.js'
import {
  AllowanceBody, AnswerBody, AnswerParams, AttemptParams, CreateExamBody, ExamBody, IntegrityBody, PreviewBody, ReopenBody, ResultsQuery, StartBody, UpdateExamBody,
} from './schemas.js'
import { archiveExam, createExam, examInScope, listExamsFor, toExamDto, updateExam, withdrawExam } from './service.js'
import { attemptView, grantAllowance, recordIntegrityEvent, reopenAttempt, saveAnswer, startAttempt, submitAttempt } from './attempts.js'
import { examResults, examStats, leaderboard, leaderboardOpenToMembers, monitor, resultsXlsx } from './results.js'
import { attachment } from '../../lib/http.js'

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
const deviceOf = (headers: Record<string, unknown>) => (typeof headers['x-device-id'] === 'string' ? headers['x-device-id'].slice(0, 100) : undefined)

export const examRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/exams', {
    config: { access: 'signed-in' },
    schema: { tags: ['exams'], summary: '考试列表：党员看到自己的考试及状态，管理员/书记看到范围内全部', response: withErrors({ 200: Type.Array(ExamBody) }) },
  }, async (req) => listExamsFor(app, req.principal))

  app.post('/exams', {
    config: { access: 'admin' },
    schema: { tags: ['exams'], summary: '新建考试', body: CreateExamBody, response: withErrors({ 201: ExamBody, 422: Type.Any() }) },
  }, async (req, reply) => reply.status(201).send(await createExam(app, req.principal, req.body)))

  app.post('/exams/preview', {
    config: { access: 'admin' },
    schema: { tags: ['exams'], summary: '预览一份样卷（含总分与题库余量校验）', body: PreviewBody, response: withErrors({ 200: Type.Any(), 422: Type.Any() }) },
  }, async (req) => {
    const today = shanghaiDate(app.clock.now())
    const check = await checkPaper(app.db, req.body.paper as PaperSpec, today)
    const sample = await drawPaper(app.db, req.body.paper as PaperSpec, { shuffleQuestions: false, shuffleOptions: false, today })
    return { ...check, questions: sample.questions.map(publicQuestion) }
  })

  app.get('/exams/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['exams'], params: IdParams, response: withErrors({ 200: ExamBody }) },
  }, async (req) => {
    const { exam } = await examInScope(app, req.principal, req.params.id)
    if (req.principal.role === 'member') return (await listExamsFor(app, req.principal)).find((e) => e.id === exam.id)!
    return toExamDto(exam)
  })

  app.patch('/exams/:id', {
    config: { access: 'admin' },
    schema: { tags: ['exams'], summary: '修改考试（开考后只能改标题、说明、结束时间与成绩公布方式）', params: IdParams, body: UpdateExamBody, response: withErrors({ 200: ExamBody, 422: Type.Any() }) },
  }, async (req) => updateExam(app, req.principal, req.params.id, req.body))

  app.delete('/exams/:id', {
    config: { access: 'admin' },
    schema: { tags: ['exams'], summary: '撤回考试（仅限还没有人开始作答的考试；已有人作答的请归档）', params: IdParams, response: withErrors({ 204: Type.Null(), 409: Type.Any() }) },
  }, async (req, reply) => {
    await withdrawExam(app, req.principal, req.params.id)
    return reply.status(204).send(null)
  })

  app.post('/exams/:id/archive', {
    config: { access: 'admin' },
    schema: { tags: ['exams'], summary: '归档考试：党员不再看到，成绩与记录保留（有人正在作答时不能归档）；archived=false 取消归档', params: IdParams, body: Type.Optional(Type.Object({ archived: Type.Optional(Type.Boolean()) })), response: withErrors({ 200: ExamBody, 409: Type.Any() }) },
  }, async (req) => archiveExam(app, req.principal, req.params.id, req.body?.archived ?? true))

  app.post('/exams/:id/attempts', {
    config: { access: 'signed-in' },
    schema: { tags: ['attempts'], summary: '开始或继续作答', params: IdParams, body: StartBody, response: withErrors({ 200: Type.Any(), 201: Type.Any(), 409: Type.Any() }) },
  }, async (req) => startAttempt(app, req.principal, req.params.id, req.body?.deviceId ?? deviceOf(req.headers)))

  app.get('/exams/:id/results', {
    config: { access: 'staff' },
    schema: { tags: ['results'], summary: '成绩（本组织范围）；format=xlsx 导出', params: IdParams, querystring: ResultsQuery },
  }, async (req, reply) => {
    const { exam, audience } = await examInScope(app, req.principal, req.params.id)
    let rows = await examResults(app, req.principal, exam.id, audience)
    if (req.query.status) rows = rows.filter((r) => r.status === req.query.status)
    if (req.query.orgId) {
      const org = await app.db.selectFrom('orgs').select('path').where('id', '=', req.query.orgId).executeTakeFirst()
      const orgIds = org ? new Set((await app.db.selectFrom('orgs').select('id').where('path', 'like', `${org.path}%`).execute()).map((o) => o.id)) : new Set<number>()
      rows = rows.filter((r) => orgIds.has(r.orgId))
    }
    if (req.query.format === 'xlsx') {
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment(`${exam.title}-成绩.xlsx`, `exam-${exam.id}-results.xlsx`))
      return reply.send(await resultsXlsx(exam.title, rows, app.clock.now()))
    }
    return rows
  })

  app.get('/exams/:id/leaderboard', {
    config: { access: 'signed-in' },
    schema: { tags: ['results'], summary: '排行榜：按分数，分数相同按用时', params: IdParams, response: withErrors({ 200: Type.Array(Type.Object({ rank: Type.Integer(), userId: Type.Integer(), name: Type.String(), orgName: Type.String(), score: Type.Number(), durationSeconds: Type.Integer() })) }) },
  }, async (req) => {
    const { exam } = await examInScope(app, req.principal, req.params.id)
    if (req.principal.role === 'member') return leaderboardOpenToMembers(exam, app.clock.now()) ? leaderboard(app, exam.id, '/') : []
    return leaderboard(app, exam.id, scopePrefix(req.principal))
  })

  app.get('/exams/:id/monitor', {
    config: { access: 'staff' },
    schema: { tags: ['results'], summary: '考试进度（本组织范围）', params: IdParams },
  }, async (req) => {
    const { exam, audience } = await examInScope(app, req.principal, req.params.id)
    return monitor(app, exam.id, audience, scopePrefix(req.principal))
  })

  app.get('/exams/:id/stats', {
    config: { access: 'staff' },
    schema: { tags: ['results'], summary: '每题正确率与分数分布（本组织范围）', params: IdParams },
  }, async (req) => {
    const { exam } = await examInScope(app, req.principal, req.params.id)
    return examStats(app, exam.id, scopePrefix(req.principal))
  })

  app.post('/exams/:id/allowances', {
    config: { access: 'staff' },
    schema: { tags: ['exams'], summary: '为个人延长时间或增加一次作答（留痕）', params: IdParams, body: AllowanceBody },
  }, async (req) => grantAllowance(app, req.principal, req.params.id, req.body))
}

export const attemptRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.put('/attempts/:id/answers/:questionId', {
    config: { access: 'signed-in' },
    schema: { tags: ['attempts'], summary: '保存一题答案（自动保存）', params: AnswerParams, body: AnswerBody, response: withErrors({ 200: Type.Object({ savedAt: Type.String() }), 409: Type.Any() }) },
  }, async (req) => saveAnswer(app, req.principal, req.params.id, req.params.questionId, req.body.answer, deviceOf(req.headers)))

  app.post('/attempts/:id/submit', {
    config: { access: 'signed-in' },
    schema: { tags: ['attempts'], summary: '交卷（重复提交返回同一结果）', params: AttemptParams, response: withErrors({ 200: Type.Object({ score: Type.Number(), maxScore: Type.Number(), passed: Type.Boolean(), submittedAt: Type.String() }) }) },
  }, async (req) => submitAttempt(app, req.principal, req.params.id))

  app.get('/attempts/:id', {
    config: { access: 'signed-in' },
    schema: { tags: ['attempts'], summary: '我的答卷；成绩公布后含答案与解析', params: AttemptParams },
  }, async (req) => attemptView(app, req.principal, req.params.id))

  app.post('/attempts/:id/events', {
    config: { access: 'signed-in' },
    schema: { tags: ['attempts'], summary: '记录切屏/离开页面（hidden、blur），或重新加载页面（reload，单独计数，不算切屏）', params: AttemptParams, body: IntegrityBody },
  }, async (req) => recordIntegrityEvent(app, req.principal, req.params.id, req.body.type, req.body.count ?? 1))

  app.post('/attempts/:id/reopen', {
    config: { access: 'staff' },
    schema: { tags: ['attempts'], summary: '重新开放误交的答卷（留痕）', params: AttemptParams, body: ReopenBody },
  }, async (req) => reopenAttempt(app, req.principal, req.params.id, req.body.reason, req.body.minutes))
}
