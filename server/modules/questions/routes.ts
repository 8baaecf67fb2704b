import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, withErrors, withFile, XLSX_MIME } from '../../lib/schemas.js'
import { notFound, validationError } from '../../lib/errors.js'
import { readUpload } from '../../lib/upload.js'
import { FileFormatError, parseQuestionFile, templateXlsx, writeQuestionsXlsx, type ParseResult } from './formats/index.js'
import {
  BulkBody,
  CategoryBody,
  CategoryQuery,
  CreateCategoryBody,
  ExportQuery,
  ImportQuery,
  ImportResult,
  ListQuestionsQuery,
  QuestionBody,
  QuestionInputBody,
  RenameCategoryBody,
  RevisionBody,
  toPortable,
  toQuestionDto,
} from './schemas.js'
import * as q from './queries.js'
import { attachment } from '../../lib/http.js'
import {
  bulkUpdate,
  createCategory,
  createQuestion,
  deleteCategory,
  importQuestions,
  removeQuestion,
  renameCategory,
  replaceQuestion,
} from './service.js'

const IMPORT_EXTENSIONS = ['.xlsx', '.csv', '.json', '.gift', '.txt', '.aiken']

const stamp = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, '')

export const questionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = app.deps
  // Only admins author the bank; secretaries may read the category list (exam and practice pickers).
  app.get(
    '/questions',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '题目列表（筛选、搜索、分页）',
        querystring: ListQuestionsQuery,
        response: withErrors({ 200: Type.Object({ items: Type.Array(QuestionBody), total: Type.Integer() }) }),
      },
    },
    async (req) => {
      const { page = 1, pageSize = 20, ...filter } = req.query
      const { items, total } = await q.searchQuestions(deps.db, { ...filter, page, pageSize })
      return { items: items.map(toQuestionDto), total }
    },
  )

  app.post(
    '/questions',
    {
      config: { access: 'admin' },
      schema: { tags: ['questions'], summary: '新建题目', body: QuestionInputBody, response: withErrors({ 201: QuestionBody }) },
    },
    async (req, reply) => reply.status(201).send(await createQuestion(deps, req.principal, req.body)),
  )

  app.get(
    '/questions/categories',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['questions'],
        summary: '分类列表（路径与题数，树由前端按 / 组装）',
        response: withErrors({ 200: Type.Array(CategoryBody) }),
      },
    },
    async () => q.listCategories(deps.db),
  )

  app.post(
    '/questions/categories',
    {
      config: { access: 'admin' },
      schema: { tags: ['questions'], summary: '新建分类', body: CreateCategoryBody, response: withErrors({ 201: CategoryBody }) },
    },
    async (req, reply) => reply.status(201).send(await createCategory(deps, req.principal, req.body.path)),
  )

  app.post(
    '/questions/categories/rename',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '重命名或移动分类（连同下级分类和题目）',
        body: RenameCategoryBody,
        response: withErrors({ 200: Type.Object({ updated: Type.Integer() }), 422: Type.Any() }),
      },
    },
    async (req) => renameCategory(deps, req.principal, req.body.from, req.body.to),
  )

  app.delete(
    '/questions/categories',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '删除空分类（连同其空的下级分类）',
        querystring: CategoryQuery,
        response: withErrors({ 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      await deleteCategory(deps, req.principal, req.query.path)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/questions/template',
    {
      config: { access: 'admin' },
      schema: { tags: ['questions'], summary: '下载题目导入模板（xlsx）', response: withFile('题目导入模板', [XLSX_MIME]) },
    },
    async (_req, reply) => {
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment('题目导入模板.xlsx', 'questions-import-template.xlsx'))
      return reply.send(await templateXlsx())
    },
  )

  app.get(
    '/questions/export',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '导出题目（与列表相同的筛选条件）：xlsx 为导入模板格式，json 为题目数组',
        querystring: ExportQuery,
        response: withFile('xlsx 为导入模板格式；format=json 为题目数组（下载文件）', [XLSX_MIME, 'application/json']),
      },
    },
    async (req, reply) => {
      const { format = 'xlsx', ...filter } = req.query
      const questions = (await q.allQuestions(deps.db, filter)).map(toPortable)
      if (format === 'json') {
        reply.header('content-type', 'application/json; charset=utf-8')
        reply.header(
          'content-disposition',
          attachment(`题库导出-${stamp(deps.clock.now())}.json`, `questions-${stamp(deps.clock.now())}.json`),
        )
        return reply.send(JSON.stringify(questions, null, 2))
      }
      reply.header('content-type', XLSX_MIME)
      reply.header(
        'content-disposition',
        attachment(`题库导出-${stamp(deps.clock.now())}.xlsx`, `questions-${stamp(deps.clock.now())}.xlsx`),
      )
      return reply.send(await writeQuestionsXlsx(questions))
    },
  )

  app.post(
    '/questions/import',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '导入题目（xlsx / csv / json / GIFT / Aiken）',
        querystring: ImportQuery,
        consumes: ['multipart/form-data'],
        response: withErrors({ 200: ImportResult, 422: ImportResult }),
      },
    },
    async (req, reply) => {
      const { buffer, filename } = await readUpload(req, IMPORT_EXTENSIONS)
      let parsed: ParseResult
      try {
        parsed = await parseQuestionFile(buffer, filename)
      } catch (err) {
        if (err instanceof FileFormatError) throw validationError(err.message, [{ field: 'file', message: err.message }])
        throw err
      }
      const { status, body } = await importQuestions(deps, req.principal, parsed, {
        dryRun: req.query.dryRun ?? false,
        skipInvalid: req.query.skipInvalid ?? false,
        asDraft: req.query.asDraft ?? false,
        filename,
      })
      return reply.status(status).send(body)
    },
  )

  app.post(
    '/questions/bulk',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '批量操作：发布、停用、转为草稿、移动分类、添加标签',
        body: BulkBody,
        response: withErrors({ 200: Type.Object({ updated: Type.Integer() }) }),
      },
    },
    async (req) => bulkUpdate(deps, req.principal, req.body),
  )

  app.get(
    '/questions/:id',
    {
      config: { access: 'admin' },
      schema: { tags: ['questions'], summary: '一道题目（含答案与解析）', params: IdParams, response: withErrors({ 200: QuestionBody }) },
    },
    async (req) => {
      const row = await q.findQuestion(deps.db, req.params.id)
      if (!row) throw notFound('题目')
      return toQuestionDto(row)
    },
  )

  app.put(
    '/questions/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '修改题目（版本号加一，旧版本存入修订历史）',
        params: IdParams,
        body: QuestionInputBody,
        response: withErrors({ 200: QuestionBody }),
      },
    },
    async (req) => replaceQuestion(deps, req.principal, req.params.id, req.body as Record<string, unknown>),
  )

  app.delete(
    '/questions/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '删除题目；已被作答的题目和内置题目改为停用（200 返回停用后的题目）',
        params: IdParams,
        response: withErrors({ 200: QuestionBody, 204: Type.Null() }),
      },
    },
    async (req, reply) => {
      const retired = await removeQuestion(deps, req.principal, req.params.id)
      return retired ? reply.status(200).send(retired) : reply.status(204).send(null)
    },
  )

  app.get(
    '/questions/:id/revisions',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['questions'],
        summary: '修订历史（旧版本快照，新的在前）',
        params: IdParams,
        response: withErrors({ 200: Type.Array(RevisionBody) }),
      },
    },
    async (req) => {
      if (!(await q.findQuestion(deps.db, req.params.id))) throw notFound('题目')
      const rows = await q.listRevisions(deps.db, req.params.id)
      return rows.map((r) => ({
        version: r.version,
        snapshot: r.snapshot,
        editorId: r.editor_id,
        editorName: r.editor_name,
        at: new Date(r.at).toISOString(),
      }))
    },
  )
}
