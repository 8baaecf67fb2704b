// One error handler for the whole app: schema failures, our AppErrors, database errors and
// anything unexpected all leave as the public error shape `{ error: { code, message, details? } }`. Bad input never becomes a 500.
import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance } from 'fastify'
import { AppError } from '../lib/errors.js'
import { NON_BLANK } from '../lib/schemas.js'

interface AjvIssue {
  instancePath?: string
  keyword: string
  params: Record<string, unknown>
  message?: string
}

const PART_NAMES: Record<string, string> = { body: '请求体', querystring: '查询参数', params: '路径参数', headers: '请求头' }

function describeIssue(issue: AjvIssue): { field: string; message: string } {
  const base = (issue.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.')
  const field =
    issue.keyword === 'required'
      ? [base, issue.params.missingProperty].filter(Boolean).join('.')
      : issue.keyword === 'additionalProperties'
        ? [base, issue.params.additionalProperty].filter(Boolean).join('.')
        : base
  const p = issue.params
  const reason = (() => {
    switch (issue.keyword) {
      case 'required':
        return '为必填项'
      case 'type':
        return `类型应为 ${p.type}`
      case 'minLength':
        return p.limit === 1 ? '不能为空' : `长度不能少于 ${p.limit}`
      case 'maxLength':
        return `长度不能超过 ${p.limit}`
      case 'minimum':
        return `不能小于 ${p.limit}`
      case 'maximum':
        return `不能大于 ${p.limit}`
      case 'minItems':
        return `至少需要 ${p.limit} 项`
      case 'maxItems':
        return `最多 ${p.limit} 项`
      case 'enum':
        return `取值应为 ${((p.allowedValues as unknown[] | undefined) ?? []).join(' / ')}`
      case 'const':
        return `取值应为 ${p.allowedValue}`
      case 'format':
        return `格式不正确（应为 ${p.format}）`
      case 'pattern':
        return p.pattern === NON_BLANK ? '不能为空（只有空格也算空）' : '格式不正确'
      case 'additionalProperties':
        return '是不允许的字段'
      case 'anyOf':
      case 'oneOf':
        return '格式不正确'
      default:
        return issue.message ?? '不合法'
    }
  })()
  return { field: field || '(整体)', message: `${field || '内容'} ${reason}` }
}

/** Text left empty fails both minLength and NON_BLANK (every error is collected): it is said once. */
function withoutRepeats(issues: AjvIssue[]): AjvIssue[] {
  const empty = new Set(issues.filter((i) => i.keyword === 'minLength').map((i) => i.instancePath))
  return issues.filter((i) => !(i.keyword === 'pattern' && i.params.pattern === NON_BLANK && empty.has(i.instancePath)))
}

/** Postgres error codes caused by the request's own values rather than by us. */
const PG_INPUT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  '23505': { status: 409, code: 'CONFLICT', message: '数据已存在（唯一性冲突）' },
  '23503': { status: 422, code: 'VALIDATION', message: '引用的数据不存在' },
  '22P02': { status: 400, code: 'VALIDATION', message: '参数格式不正确' },
  '22003': { status: 400, code: 'VALIDATION', message: '数值超出范围' },
  '22007': { status: 400, code: 'VALIDATION', message: '日期时间格式不正确' },
  '22008': { status: 400, code: 'VALIDATION', message: '日期时间超出范围' },
  '22001': { status: 400, code: 'VALIDATION', message: '文本过长' },
  '40001': { status: 503, code: 'UNAVAILABLE', message: '服务繁忙，请重试' },
  '40P01': { status: 503, code: 'UNAVAILABLE', message: '服务繁忙，请重试' },
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P03',
  '08006',
  '08003',
  '08001',
  '53300',
])
const MULTIPART_ERRORS =
  /Unexpected end of (form|multipart data|file)|Malformed part header|Multipart: Boundary not found|Malformed urlencoded form|Part terminated early/i

/** The process ran out of a resource (file descriptors, memory): overloaded, not broken — retry later. */
const RESOURCE_ERRORS = new Set(['EMFILE', 'ENFILE', 'ENOMEM'])

export default fp(async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError & { code?: string }, request, reply) => {
    if (error instanceof AppError) {
      // Busy, not broken (e.g. every spreadsheet reader taken): tell clients when to come back.
      if (error.statusCode === 503) reply.header('retry-after', String((error as { retryAfterSeconds?: number }).retryAfterSeconds ?? 5))
      return reply.status(error.statusCode).send({
        error: { code: error.code, message: error.message, ...(error.details !== undefined && { details: error.details }) },
      })
    }
    if (error.validation) {
      const issues = withoutRepeats(error.validation as AjvIssue[]).map(describeIssue)
      const part = PART_NAMES[error.validationContext ?? ''] ?? ''
      return reply.status(400).send({
        error: { code: 'VALIDATION', message: `${part}${part && '：'}${issues.map((i) => i.message).join('；')}`, details: issues },
      })
    }
    const pgCode = (error as { code?: string }).code
    if (pgCode && PG_INPUT_ERRORS[pgCode]) {
      const known = PG_INPUT_ERRORS[pgCode]
      request.log.info({ err: error }, 'database rejected input')
      return reply.status(known.status).send({ error: { code: known.code, message: known.message } })
    }
    if (pgCode && RESOURCE_ERRORS.has(pgCode)) {
      request.log.warn({ err: error }, 'out of resources')
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({ error: { code: 'UNAVAILABLE', message: '服务器繁忙，请稍后重试' } })
    }
    if (
      (pgCode && CONNECTION_ERRORS.has(pgCode)) ||
      /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(error.message)
    ) {
      request.log.warn({ err: error }, 'database unavailable')
      return reply.status(503).send({ error: { code: 'UNAVAILABLE', message: '数据库暂时不可用，请稍后重试' } })
    }
    // A multipart body that ends early or breaks its own format (busboy's words): the client's fault.
    if (MULTIPART_ERRORS.test(error.message ?? '')) {
      return reply.status(400).send({
        error: {
          code: 'VALIDATION',
          message: '上传内容不完整或格式不正确，请重新上传',
          details: [{ field: 'file', message: '上传不完整' }],
        },
      })
    }
    // Fastify's own 4xx (bad JSON, body too large, unsupported media type, rate limit …).
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const code =
        error.statusCode === 429
          ? 'RATE_LIMITED'
          : error.statusCode === 413
            ? 'PAYLOAD_TOO_LARGE'
            : error.statusCode === 415
              ? 'UNSUPPORTED_MEDIA_TYPE'
              : error.statusCode === 404
                ? 'NOT_FOUND'
                : 'BAD_REQUEST'
      const message =
        error.statusCode === 429
          ? '请求过于频繁，请稍后再试'
          : error.statusCode === 413
            ? '上传内容过大'
            : error.statusCode === 415
              ? '不支持的内容类型'
              : error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
                ? '请求体不是合法的 JSON'
                : error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
                  ? '请求体为空'
                  : `请求不正确：${error.message}`
      return reply.status(error.statusCode).send({ error: { code, message } })
    }
    request.log.error({ err: error }, 'unhandled error')
    return reply.status(500).send({ error: { code: 'INTERNAL', message: '服务器内部错误' } })
  })
})
