// Taking an exam: start or resume, autosave, submit, review, and staff's per-person remedies.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdParams, withErrors } from '../../lib/schemas.js'
import { PERIODIC_ROUTE_LOG_LEVEL } from '../../lib/http.js'
import type { ExamCatalog } from '../exams/index.js'
import {
  AllowanceBody,
  AllowanceResult,
  AnswerBody,
  AnswerParams,
  AttemptParams,
  AttemptViewBody,
  IntegrityBody,
  Ok,
  ReopenBody,
  ReopenResult,
  Saved,
  StartBody,
  StartedAttempt,
  SubmitResult,
} from './schemas.js'
import { deviceIdOf, recordIntegrityEvent, saveAnswer, startAttempt, submitAttempt } from './service.js'
import { attemptView } from './review.js'
import { grantAllowance, reopenAttempt } from './retakes.js'
import type { AttemptState } from './state.js'

const deviceOf = (headers: Record<string, unknown>) => deviceIdOf(headers['x-device-id'])

/** `state` is the module's autosave state (group commit, attempt outlines), shared with its socket events. */
export const attemptRoutes: FastifyPluginAsyncTypebox<{ exams: ExamCatalog; state: AttemptState }> = async (app, { exams, state }) => {
  const deps = app.deps

  app.post(
    '/exams/:id/attempts',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['attempts'],
        summary: '开始或继续作答（请求体可省略）',
        params: IdParams,
        body: StartBody,
        response: withErrors({ 200: StartedAttempt }),
      },
    },
    async (req) => startAttempt(deps, exams, state, req.principal, req.params.id, req.body?.deviceId ?? deviceOf(req.headers)),
  )

  app.post(
    '/exams/:id/allowances',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['exams'],
        summary: '为个人延长时间或增加一次作答（留痕）',
        params: IdParams,
        body: AllowanceBody,
        response: withErrors({ 200: AllowanceResult }),
      },
    },
    async (req) => grantAllowance(deps, exams, req.principal, req.params.id, req.body),
  )

  app.put(
    '/attempts/:id/answers/:questionId',
    {
      logLevel: PERIODIC_ROUTE_LOG_LEVEL,
      config: { access: 'signed-in' },
      schema: {
        tags: ['attempts'],
        summary: '保存一题答案（自动保存）',
        params: AnswerParams,
        body: AnswerBody,
        response: withErrors({ 200: Saved }),
      },
    },
    async (req) => saveAnswer(deps, state, req.principal, req.params.id, req.params.questionId, req.body.answer, deviceOf(req.headers)),
  )

  app.post(
    '/attempts/:id/submit',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['attempts'],
        summary: '交卷（重复提交返回同一结果）',
        params: AttemptParams,
        response: withErrors({ 200: SubmitResult }),
      },
    },
    async (req) => submitAttempt(deps, req.principal, req.params.id),
  )

  app.get(
    '/attempts/:id',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['attempts'],
        summary: '我的答卷；成绩公布后含答案与解析',
        params: AttemptParams,
        response: withErrors({ 200: AttemptViewBody }),
      },
    },
    async (req) => attemptView(deps, req.principal, req.params.id),
  )

  app.post(
    '/attempts/:id/events',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['attempts'],
        summary: '记录切屏/离开页面（hidden、blur），或重新加载页面（reload，单独计数，不算切屏）',
        params: AttemptParams,
        body: IntegrityBody,
        response: withErrors({ 200: Ok }),
      },
    },
    async (req) => recordIntegrityEvent(deps, req.principal, req.params.id, req.body.type, req.body.count ?? 1),
  )

  app.post(
    '/attempts/:id/reopen',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['attempts'],
        summary: '重新开放误交的答卷（留痕）',
        params: AttemptParams,
        body: ReopenBody,
        response: withErrors({ 200: ReopenResult }),
      },
    },
    async (req) => reopenAttempt(deps, exams, req.principal, req.params.id, req.body.reason, req.body.minutes),
  )
}
