// Errors the API answers with. Every one maps to the public error shape
// `{ error: { code, message, details? } }`; messages are zh-CN because people read them.

export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

export const validationError = (message: string, details?: unknown) => new AppError(400, 'VALIDATION', message, details)
export const unprocessable = (message: string, details?: unknown) => new AppError(422, 'VALIDATION', message, details)
export const unauthorized = (message = '请先登录') => new AppError(401, 'UNAUTHORIZED', message)
export const forbidden = (message = '没有权限执行此操作') => new AppError(403, 'FORBIDDEN', message)
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what}不存在`)
export const conflict = (message: string, details?: unknown) => new AppError(409, 'CONFLICT', message, details)
