// Designing exams and listing them. Taking them is in attempts/, their outcome in results/.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, withErrors } from '../../lib/schemas.js'
import { shanghaiDate } from '../../lib/time.js'
import { publicQuestion } from '../questions/index.js'
import { checkPaper, drawPaper, type PaperSpec } from './draw.js'
import type { ExamCatalog } from './catalog.js'
import { CreateExamBody, ExamBody, PreviewBody, PreviewResult, UpdateExamBody } from './schemas.js'
import { archiveExam, createExam, listExamsFor, toExamDto, updateExam, withdrawExam } from './service.js'

export const examRoutes: FastifyPluginAsyncTypebox<{ exams: ExamCatalog }> = async (app, { exams }) => {
  const deps = app.deps

  app.get(
    '/exams',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['exams'],
        summary: '考试列表：党员看到自己的考试及状态，管理员/书记看到范围内全部',
        response: withErrors({ 200: Type.Array(ExamBody) }),
      },
    },
    async (req) => listExamsFor(deps, req.principal),
  )

  app.post(
    '/exams',
    {
      config: { access: 'admin' },
      schema: { tags: ['exams'], summary: '新建考试', body: CreateExamBody, response: withErrors({ 201: ExamBody }) },
    },
    async (req, reply) => reply.status(201).send(await createExam(deps, req.principal, req.body)),
  )

  app.post(
    '/exams/preview',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['exams'],
        summary: '预览一份样卷（含总分与题库余量校验）',
        body: PreviewBody,
        response: withErrors({ 200: PreviewResult }),
      },
    },
    async (req) => {
      const today = shanghaiDate(deps.clock.now())
      const check = await checkPaper(deps.db, req.body.paper as PaperSpec, today)
      const sample = await drawPaper(deps.db, req.body.paper as PaperSpec, { shuffleQuestions: false, shuffleOptions: false, today })
      return { ...check, questions: sample.questions.map(publicQuestion) }
    },
  )

  app.get(
    '/exams/:id',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['exams'],
        summary: '一场考试：党员看到自己的状态，管理员/书记看到完整设置',
        params: IdParams,
        response: withErrors({ 200: ExamBody }),
      },
    },
    async (req) => {
      const { exam } = await exams.inScope(req.principal, req.params.id)
      if (req.principal.role === 'admin') return toExamDto(exam)
      // A member's, or a secretary's with her own status when she is invited (the list's entry).
      return (await listExamsFor(deps, req.principal)).find((e) => e.id === exam.id) ?? toExamDto(exam, req.principal.role !== 'member')
    },
  )

  app.patch(
    '/exams/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['exams'],
        summary: '修改考试（开考后只能改标题、说明、结束时间与成绩公布方式）',
        params: IdParams,
        body: UpdateExamBody,
        response: withErrors({ 200: ExamBody }),
      },
    },
    async (req) => updateExam(deps, req.principal, req.params.id, req.body),
  )

  app.delete(
    '/exams/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['exams'],
        summary: '撤回考试（仅限还没有人开始作答的考试；已有人作答的请归档）',
        params: IdParams,
        response: withErrors({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      await withdrawExam(deps, req.principal, req.params.id)
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/exams/:id/archive',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['exams'],
        summary: '归档考试：党员不再看到，成绩与记录保留（有人正在作答时不能归档）；archived=false 取消归档',
        params: IdParams,
        body: Type.Optional(Type.Object({ archived: Type.Optional(Type.Boolean()) })),
        response: withErrors({ 200: ExamBody }),
      },
    },
    async (req) => archiveExam(deps, req.principal, req.params.id, req.body?.archived ?? true),
  )
}
