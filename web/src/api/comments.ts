// 发表观点: comment under a material or a 专栏 item, read the approved ones (and one's own), moderate
// (staff, their subtree) and keep the sensitive-word list (admins).
import { get, post, put } from './client'
import type { Static } from '@sinclair/typebox'
import type { CommentItem, CreateBody, ModerationItem, ModerationQuery, SensitiveWords } from '../../../server/modules/comments/schemas'
import { toQuery, type Page } from './types'

export type { CommentItem, ModerationItem }
export type CommentInput = Static<typeof CreateBody>
export type CommentTarget = CommentInput['targetType']
export type CommentStatus = CommentItem['status']
export type ModerationFilter = Static<typeof ModerationQuery>

export const commentsApi = {
  create: (body: CommentInput) => post<{ id: number; status: 'pending' }>('/api/comments', body),
  list: (targetType: CommentTarget, targetId: number, page = 1, pageSize = 50) =>
    get<Page<CommentItem>>(`/api/comments${toQuery({ targetType, targetId, page, pageSize })}`),
  moderation: (f: ModerationFilter = {}) => get<Page<ModerationItem>>(`/api/comments/moderation${toQuery(f)}`),
  approve: (id: number) => post<ModerationItem>(`/api/comments/${id}/approve`),
  reject: (id: number, reason: string) => post<ModerationItem>(`/api/comments/${id}/reject`, { reason }),
  sensitiveWords: () => get<SensitiveWords>('/api/comments/sensitive-words'),
  saveSensitiveWords: (words: string[]) => put<SensitiveWords>('/api/comments/sensitive-words', { words }),
}
