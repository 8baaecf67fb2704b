// Schema pieces shared by many routes.
import { Type, type TSchema } from '@sinclair/typebox'

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      details: Type.Optional(Type.Any()),
    }),
  },
  { $id: 'ErrorBody' },
)

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) })

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('secretary'), Type.Literal('member'), Type.Literal('auditor')])
export const OrgKind = Type.Union([Type.Literal('department'), Type.Literal('branch'), Type.Literal('unit'), Type.Literal('agency')])

export const UserBody = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  name: Type.String(),
  role: Role,
  orgId: Type.Integer(),
  mustChangePassword: Type.Boolean(),
  active: Type.Optional(Type.Boolean()),
  orgName: Type.Optional(Type.String()),
})

export const Paging = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20 })),
}

/** Responses a route may give besides its success: every error has the one ErrorBody shape. */
export function withErrors<T extends Record<number, TSchema>>(ok: T): Omit<ErrorResponses, keyof T> & T {
  return { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, ...ok }
}
type ErrorResponses = Record<400 | 401 | 403 | 404 | 409 | 422, typeof ErrorBody>

/**
 * The pattern of text that is not blank: at least one character other than white space (the same
 * characters String.prototype.trim removes), so what a service stores after trimming is never ''.
 * The error handler words a failure of it as the field being empty.
 */
export const NON_BLANK = '\\S'

/** "Trimmed non-empty text" of bounded length: refused when blank, as spaces alone trim to nothing. */
export const Text = (maxLength: number, opts: Record<string, unknown> = {}) =>
  Type.String({ minLength: 1, maxLength, pattern: NON_BLANK, ...opts })

const BINARY = Type.String({ format: 'binary' })

/**
 * A success that is a file (xlsx, json download), or — when `json` is given — JSON by default and
 * the same data as a file on request (`format=xlsx`): one 200 with a content type for each, so the
 * OpenAPI says what a download is. Typed loosely on purpose: the handler sends a Buffer.
 */
export function withFile(description: string, mimes: string[], json?: TSchema): Record<number, unknown> {
  const content: Record<string, { schema: TSchema }> = {}
  if (json) content['application/json'] = { schema: json }
  for (const mime of mimes) content[mime] = { schema: BINARY }
  return { ...withErrors({}), 200: { description, content } }
}

export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** A question as a person answering it sees it (exam, practice, games): no key, no 解析. */
export const PublicQuestionBody = Type.Object({
  id: Type.Integer(),
  type: Type.String(),
  stem: Type.String(),
  score: Type.Number(),
  options: Type.Union([Type.Array(Type.Object({ key: Type.String(), text: Type.String() })), Type.Null()]),
  blanks: Type.Optional(Type.Integer()),
})
