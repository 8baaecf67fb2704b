import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, UserBody, withErrors, XLSX_MIME, withFile } from '../../lib/schemas.js'
import { notFound } from '../../lib/errors.js'
import { orgInScope, scopePrefix } from '../../lib/scope.js'
import { readUpload } from '../../lib/upload.js'
import { readSpreadsheetTable, type SheetTable } from '../../lib/sheets/table.js'
import { FileFormatError } from '../../lib/sheets/errors.js'
import { validationError } from '../../lib/errors.js'
import { toUserDto } from './dto.js'
import { CreateUserBody, ImportQuery, ImportResult, InitialPasswordsBody, ListUsersQuery, UpdateUserBody } from './schemas.js'
import * as q from './queries.js'
import { createUser, updateUser } from './service.js'
import { importUsers, USER_IMPORT_COLUMNS } from './import.js'
import { initialPasswordsXlsx, userImportTemplate } from './template.js'
import { attachment } from '../../lib/http.js'

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Every route here is staff-only; scope (own subtree) is checked per record below.
  app.get(
    '/users',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['users'],
        summary: '人员列表（本组织及下级）',
        querystring: ListUsersQuery,
        response: withErrors({ 200: Type.Object({ items: Type.Array(UserBody), total: Type.Integer() }) }),
      },
    },
    async (req) => {
      const { page = 1, pageSize = 20, ...filter } = req.query
      const { items, total } = await q.searchUsers(app.db, { ...filter, page, pageSize, scopePath: scopePrefix(req.principal) })
      return { items: items.map(toUserDto), total }
    },
  )

  app.get(
    '/users/:id',
    {
      config: { access: 'staff' },
      schema: { tags: ['users'], summary: '一个人员（本组织范围）', params: IdParams, response: withErrors({ 200: UserBody }) },
    },
    async (req) => {
      const user = await q.findUser(app.db, req.params.id)
      if (!user || !orgInScope(req.principal, user.org_path)) throw notFound('用户')
      return toUserDto(user)
    },
  )

  app.post(
    '/users',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['users'],
        summary: '新建用户',
        body: CreateUserBody,
        response: withErrors({ 201: UserBody, 409: Type.Any(), 422: Type.Any() }),
      },
    },
    async (req, reply) => reply.status(201).send(await createUser(app.deps, req.principal, req.body)),
  )

  app.patch(
    '/users/:id',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['users'],
        summary: '修改用户：姓名、组织、角色、停用、重置密码',
        params: IdParams,
        body: UpdateUserBody,
        response: withErrors({ 200: UserBody, 422: Type.Any() }),
      },
    },
    async (req) => updateUser(app.deps, req.principal, req.params.id, req.body, (userId) => app.forgetSessions((p) => p.userId === userId)),
  )

  app.get(
    '/users/import/template',
    {
      config: { access: 'staff' },
      schema: { tags: ['users'], summary: '下载人员导入模板（xlsx）', response: withFile('人员导入模板', [XLSX_MIME]) },
    },
    async (_req, reply) => {
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment('人员导入模板.xlsx', 'users-import-template.xlsx'))
      return reply.send(await userImportTemplate())
    },
  )

  app.post(
    '/users/import/passwords.xlsx',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['users'],
        summary: '把导入时生成的初始密码排成 xlsx（服务器不保存密码，只排版调用方提交的内容）',
        body: InitialPasswordsBody,
        response: withFile('账号和初始密码', [XLSX_MIME]),
      },
    },
    async (req, reply) => {
      reply.header('content-type', XLSX_MIME)
      reply.header('content-disposition', attachment('账号和初始密码.xlsx', 'initial-passwords.xlsx'))
      return reply.send(await initialPasswordsXlsx(req.body.people))
    },
  )

  app.post(
    '/users/import',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['users'],
        summary: '导入人员（xlsx / csv）',
        querystring: ImportQuery,
        consumes: ['multipart/form-data'],
        response: withErrors({ 200: ImportResult, 422: ImportResult }),
      },
    },
    async (req, reply) => {
      const { buffer, filename } = await readUpload(req, ['.xlsx', '.csv'])
      let table: SheetTable
      try {
        table = await readSpreadsheetTable(buffer, filename)
      } catch (err) {
        if (err instanceof FileFormatError) throw validationError(err.message, [{ field: 'file', message: err.message }])
        throw err
      }
      const missing = USER_IMPORT_COLUMNS.filter((c) => c !== '初始密码' && !table.headers.includes(c))
      if (missing.length)
        throw validationError(`文件缺少列：${missing.join('、')}（请使用导入模板）`, [
          { field: 'file', message: `缺少列 ${missing.join('、')}` },
        ])
      const rows = table.rows
      // A header row alone would "pass" its dry run as 0 people to create: say what is missing instead.
      if (!rows.length)
        throw validationError('文件中没有人员：表头下面还没有填写任何一行', [{ field: 'file', message: '表头下面没有数据行' }])
      const opts = { dryRun: req.query.dryRun ?? false, skipInvalid: req.query.skipInvalid ?? false }
      const result = await importUsers(app.deps, req.principal, rows, opts, (ids) => {
        const changed = new Set(ids)
        app.forgetSessions((p) => changed.has(p.userId))
      })
      const rejected = !opts.dryRun && result.errors.length > 0 && !opts.skipInvalid
      return reply.status(rejected ? 422 : 200).send(rejected ? { ...result, created: 0, updated: 0 } : result)
    },
  )
}
