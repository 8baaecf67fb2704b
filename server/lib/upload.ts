// Reads the single uploaded file of a multipart request (field `file`) into memory.
import type { FastifyRequest } from 'fastify'
import path from 'node:path'
import { AppError, validationError } from './errors.js'

export const MAX_UPLOAD_BYTES = 30 * 1024 * 1024

export async function readUpload(req: FastifyRequest, allowed: string[]): Promise<{ buffer: Buffer; filename: string }> {
  if (!req.isMultipart()) throw validationError('请以 multipart/form-data 上传文件（字段 file）', [{ field: 'file', message: '缺少文件' }])
  const part = await req.file({ limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } })
  if (!part) throw validationError('请上传文件（字段 file）', [{ field: 'file', message: '缺少文件' }])
  const ext = path.extname(part.filename || '').toLowerCase()
  if (!allowed.includes(ext)) {
    part.file.resume()
    throw validationError(`不支持的文件类型“${ext || '无扩展名'}”，请上传 ${allowed.join(' / ')} 文件`, [
      { field: 'file', message: '文件类型不支持' },
    ])
  }
  let buffer: Buffer
  try {
    buffer = await part.toBuffer()
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppError(413, 'PAYLOAD_TOO_LARGE', `文件超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB 上限`)
    }
    throw err
  }
  if (!buffer.length) throw validationError('上传的文件是空的', [{ field: 'file', message: '文件为空' }])
  return { buffer, filename: part.filename }
}
