import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PERIODIC_ROUTE_LOG_LEVEL, perPersonLimit } from '../../lib/http.js'
import path from 'node:path'
import { Type } from '@sinclair/typebox'
import { IdParams, Paging, withErrors } from '../../lib/schemas.js'
import { notFound } from '../../lib/errors.js'
import { audit } from '../../lib/audit.js'
import {
  ChallengeStart,
  HeartbeatResult,
  MaterialBody,
  MaterialDto,
  MaterialPage,
  PracticeResult,
  QuestionSetBody,
  WrongBookItem,
} from './schemas.js'
import { CHANNELS, createMaterial, findMaterial, listMaterials, toMaterialDto, updateMaterial } from './materials.js'
import { heartbeat, HEARTBEAT_SECONDS } from './study-time.js'
import { answerQuestion, questionSet, startChallenge, type PracticeDeps } from './quiz.js'
import type { ExamCatalog } from '../exams/index.js'
import { wrongBook } from './wrong-book.js'
import { MAX_IMAGE_BYTES, MAX_VIDEO_BYTES, saveMedia } from './media.js'

const Mode = Type.Union(['daily', 'weekly', 'special', 'challenge', 'random', 'wrongbook'].map((m) => Type.Literal(m)))

export const studyRoutes: FastifyPluginAsyncTypebox<{ dataDir?: string; exams: ExamCatalog }> = async (app, opts) => {
  const dataDir = opts.dataDir ?? path.resolve('data')
  const deps = app.deps
  const practice: PracticeDeps = { ...deps, exams: opts.exams }

  app.get(
    '/study/channels',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['study'], summary: '学习频道', response: withErrors({ 200: Type.Array(Type.String()) }) },
    },
    async () => [...CHANNELS],
  )

  app.get(
    '/study/materials',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['study'],
        summary: '学习资料列表',
        querystring: Type.Object({
          channel: Type.Optional(Type.String({ maxLength: 40 })),
          kind: Type.Optional(Type.Union([Type.Literal('article'), Type.Literal('video')])),
          q: Type.Optional(Type.String({ maxLength: 60 })),
          ...Paging,
        }),
        response: withErrors({ 200: MaterialPage }),
      },
    },
    async (req) => {
      const { page = 1, pageSize = 20, ...f } = req.query
      return listMaterials(deps.db, { ...f, page, pageSize, includeUnpublished: req.principal.role === 'admin' })
    },
  )

  app.get(
    '/study/materials/:id',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['study'], summary: '一篇学习资料（正文或视频）', params: IdParams, response: withErrors({ 200: MaterialDto }) },
    },
    async (req) => {
      const m = await findMaterial(deps.db, req.params.id)
      if (!m || (m.status !== 'published' && req.principal.role !== 'admin')) throw notFound('学习资料')
      return { ...toMaterialDto(m, m.body_html), heartbeatSeconds: HEARTBEAT_SECONDS }
    },
  )

  app.post(
    '/study/materials',
    {
      config: { access: 'admin' },
      schema: { tags: ['study'], summary: '发布学习资料', body: MaterialBody, response: withErrors({ 201: MaterialDto }) },
    },
    async (req, reply) => reply.status(201).send(await createMaterial(deps, req.principal, req.body)),
  )

  app.put(
    '/study/materials/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['study'],
        summary: '修改学习资料',
        params: IdParams,
        body: MaterialBody,
        response: withErrors({ 200: MaterialDto }),
      },
    },
    async (req) => updateMaterial(deps, req.principal, req.params.id, req.body),
  )

  app.post(
    '/study/media',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['study'],
        summary: `上传视频（.mp4 / .webm，≤ ${MAX_VIDEO_BYTES / 1024 / 1024} MB）或图片（.jpg / .png / .webp，≤ ${MAX_IMAGE_BYTES / 1024 / 1024} MB），multipart 字段 file`,
        consumes: ['multipart/form-data'],
        response: withErrors({ 201: Type.Object({ url: Type.String(), bytes: Type.Integer(), contentType: Type.String() }) }),
      },
    },
    async (req, reply) => {
      const saved = await saveMedia(req, dataDir)
      await audit(deps.db, req.principal.userId, 'material.media', 'media', saved.url, {
        bytes: saved.bytes,
        contentType: saved.contentType,
      })
      return reply.status(201).send(saved)
    },
  )

  app.post(
    '/study/materials/:id/heartbeat',
    {
      logLevel: PERIODIC_ROUTE_LOG_LEVEL,
      config: {
        access: 'signed-in',
        rateLimit: perPersonLimit('hb', () => app.limits.earnPerMinute),
      },
      schema: {
        tags: ['study'],
        summary: '学习心跳：页面可见时约每 15 秒一次',
        params: IdParams,
        body: Type.Object({ visible: Type.Boolean() }),
        response: withErrors({ 200: HeartbeatResult }),
      },
    },
    async (req) => {
      const m = await findMaterial(deps.db, req.params.id)
      if (!m || m.status !== 'published') throw notFound('学习资料')
      return heartbeat(deps, req.principal, { id: m.id, kind: m.kind }, req.body.visible)
    },
  )

  // Each set, and each challenge run, stores the questions it served (practice-items.ts): a bound
  // per person, like answering's, keeps a script from writing rows as fast as it can ask.
  app.get(
    '/study/quiz/:mode',
    {
      config: { access: 'signed-in', rateLimit: perPersonLimit('quiz', () => app.limits.earnPerMinute) },
      schema: {
        tags: ['study'],
        summary: '取题：daily 每日 / weekly 每周 / special 专项 / random 随机练习',
        params: Type.Object({
          mode: Type.Union([Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('special'), Type.Literal('random')]),
        }),
        querystring: Type.Object({
          category: Type.Optional(Type.String({ maxLength: 200 })),
          size: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
        }),
        response: withErrors({ 200: QuestionSetBody }),
      },
    },
    async (req) => questionSet(practice, req.principal, req.params.mode, req.query),
  )

  app.post(
    '/study/answers',
    {
      config: {
        access: 'signed-in',
        rateLimit: perPersonLimit('ans', () => app.limits.earnPerMinute * 2),
      },
      schema: {
        tags: ['study'],
        summary: '提交一题练习答案：即时判分并给出解析',
        body: Type.Object({
          mode: Mode,
          questionId: Type.Integer({ minimum: 1 }),
          answer: Type.Unknown(),
          elapsedMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 3_600_000 })),
          runId: Type.Optional(Type.String({ maxLength: 64 })),
          category: Type.Optional(Type.String({ maxLength: 200 })),
          size: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
        }),
        response: withErrors({ 200: PracticeResult }),
      },
    },
    async (req) => answerQuestion(practice, req.principal, req.body),
  )

  app.post(
    '/study/challenge',
    {
      config: { access: 'signed-in', rateLimit: perPersonLimit('challenge', () => app.limits.earnPerMinute) },
      schema: { tags: ['study'], summary: '开始一轮挑战答题', response: withErrors({ 200: ChallengeStart }) },
    },
    async (req) => startChallenge(practice, req.principal),
  )

  app.get(
    '/study/wrong-book',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['study'],
        summary: '错题本',
        querystring: Type.Object({ category: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: withErrors({ 200: Type.Array(WrongBookItem) }),
      },
    },
    async (req) => wrongBook(deps.db, req.principal.userId, req.query.category),
  )
}
