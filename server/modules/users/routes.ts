import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, UserBody, withErrors, XLSX_MIME, withFile } from '../../lib/schemas.js'
import { notFound } from '../../lib/errors.js'
import { orgInScope, scopePrefix } from '../../lib/scope.js'
import { readUpload } from '../../lib/upload.js'
import { assertRowTotal, readSpreadsheetBook, type SheetTable, type SpreadsheetBook } from '../../lib/sheets/table.js'
import { FileFormatError } from '../../lib/sheets/errors.js'
import { validationError } from '../../lib/errors.js'
import { toUserDto } from './dto.js'
import {
  CreateUserBody,
  ImportProgress,
  ImportProgressParams,
  ImportQuery,
  ImportResult,
  InitialPasswordsBody,
  ListUsersQuery,
  UpdateUserBody,
} from './schemas.js'
import { progressWriter, readProgress, type ReportProgress } from './progress.js'
import * as q from './queries.js'
import { createUser, updateUser } from './service.js'
import { importUsers, USER_IMPORT_COLUMNS, type ImportRow, type UserImportResult } from './import.js'
import { initialPasswordsXlsx, userImportTemplate } from './template.js'
import { attachment } from '../../lib/http.js'

export interface UserRouteOptions {
  /** How often a running import's progress row may be rewritten within a phase (PROGRESS_WRITE_MS unless set). */
  progressWriteMs?: number
}

export const userRoutes: FastifyPluginAsyncTypebox<UserRouteOptions> = async (app, opts) => {
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
      const { dryRun = false, skipInvalid = false, progressId } = req.query
      const writer = progressId
        ? progressWriter(app.deps, req.principal.userId, progressId, {
            writeMs: opts.progressWriteMs,
            onError: (err) => req.log.warn({ err }, '导入进度未能写入'),
          })
        : undefined
      const progress: ReportProgress = writer?.report ?? (async () => {})
      let rowCount = 0
      let result: UserImportResult
      try {
        await progress('reading', 0, 0)
        const { rows, notes } = await readPeople(buffer, filename)
        rowCount = rows.length
        result = await importUsers(app.deps, req.principal, rows, { dryRun, skipInvalid, notes, progress }, (ids) => {
          const changed = new Set(ids)
          app.forgetSessions((p) => changed.has(p.userId))
        })
        // Written before the answer goes out, so a poll sent after the answer never sees it still
        // running (an import that wrote people marked it done in its own transaction already).
        await progress('done', rowCount, rowCount)
      } catch (err) {
        // A refused file (400) or a failure ends the row too, so a poll never sees it running on.
        await progress('failed', rowCount, rowCount)
        throw err
      } finally {
        writer?.stop()
      }
      const rejected = !dryRun && result.errors.length > 0 && !skipInvalid
      return reply.status(rejected ? 422 : 200).send(rejected ? { ...result, created: 0, updated: 0 } : result)
    },
  )

  app.get(
    '/users/import/progress/:progressId',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['users'],
        summary: '自己的人员导入进度（按导入时给出的 progressId；只能查到自己的；服务器中断的导入答 failed 并附说明）',
        params: ImportProgressParams,
        response: withErrors({ 200: ImportProgress }),
      },
    },
    async (req) => {
      // Looked up under the caller's own id: another person's import is "not found", whatever id is tried.
      // A row left running by a process that is gone answers failed, with what happened (readProgress).
      const found = await readProgress(app.deps, req.principal.userId, req.params.progressId)
      if (!found) throw notFound('导入进度')
      return found
    },
  )
}

/** The data rows of the file's people sheets, each with its place, and notes on the sheets left out. 400 for a file that has none. */
async function readPeople(buffer: Buffer, filename: string): Promise<{ rows: ImportRow[]; notes: string[] }> {
  // The reader's and the row limit's refusals are the file's fault: a 400 naming the file.
  const asFileError = async <T>(read: () => T | Promise<T>): Promise<T> => {
    try {
      return await read()
    } catch (err) {
      if (err instanceof FileFormatError) throw validationError(err.message, [{ field: 'file', message: err.message }])
      throw err
    }
  }
  const book: SpreadsheetBook = await asFileError(() => readSpreadsheetBook(buffer, filename))
  const { tables, notes } = peopleSheets(book)
  await asFileError(() => assertRowTotal(tables))
  // Rows from several sheets carry their sheet's name so messages can say where each is; one people
  // sheet beside an instructions sheet (our own template) needs only the row number.
  const multiSheet = tables.length > 1
  const rows: ImportRow[] = tables.flatMap((t) =>
    t.rows.map((cells, i) => ({ ...(multiSheet && { sheet: t.name }), row: i + 2, cells, cellErrors: t.cellErrors.get(i) })),
  )
  // A header row alone would "pass" its dry run as 0 people to create: say what is missing instead.
  if (!rows.length) throw validationError('文件中没有人员：表头下面还没有填写任何一行', [{ field: 'file', message: '表头下面没有数据行' }])
  return { rows, notes }
}

/** Columns a people sheet must have in row 1; 初始密码 may be left out (blank ones are generated). */
const REQUIRED_COLUMNS = USER_IMPORT_COLUMNS.filter((c) => c !== '初始密码')

/**
 * The sheets whose header row is the template's, and a note for each sheet left out (our own template
 * has a 说明 sheet; department workbooks have cover sheets, or one sheet per branch). A file of one
 * sheet that is not a people table is refused as before; so is a workbook where no sheet is one.
 */
function peopleSheets(book: SpreadsheetBook): { tables: SheetTable[]; notes: string[] } {
  const tables: SheetTable[] = []
  const notes: string[] = []
  for (const sheet of book.sheets) {
    if ('skipped' in sheet) {
      notes.push(`已跳过工作表「${sheet.name}」：${sheet.skipped === 'hidden' ? '是隐藏的工作表，其中的行不导入' : '是空的'}`)
      continue
    }
    const missing = REQUIRED_COLUMNS.filter((c) => !sheet.table.headers.includes(c))
    if (!missing.length) tables.push(sheet.table)
    else if (book.sheets.length === 1)
      throw validationError(`文件缺少列：${missing.join('、')}（请使用导入模板）`, [
        { field: 'file', message: `缺少列 ${missing.join('、')}` },
      ])
    else notes.push(`已跳过工作表「${sheet.name}」：不是人员表（第 1 行缺少列 ${missing.join('、')}）`)
  }
  if (!tables.length) {
    const message = `文件中没有人员表：人员表第 1 行应为 ${USER_IMPORT_COLUMNS.join('、')}（请使用导入模板）。${notes.join('；')}`
    throw validationError(message, [{ field: 'file', message }])
  }
  return { tables, notes }
}
