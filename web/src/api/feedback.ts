// 投诉建议: members submit and follow their own; staff answer their subtree's; admins see the month.
import { get, post } from './client'
import type { Static } from '@sinclair/typebox'
import type { FeedbackItem, ListQuery, Summary, SubmitBody } from '../../../server/modules/feedback/schemas'
import { toQuery, type Page } from './types'

export type { FeedbackItem }
export type FeedbackSummary = Static<typeof Summary>
export type FeedbackInput = Static<typeof SubmitBody>
export type FeedbackCategory = FeedbackInput['category']
export type FeedbackFilter = Static<typeof ListQuery>

/** The categories a member picks from (the server's list, in its order). */
export const FEEDBACK_CATEGORIES: FeedbackCategory[] = ['投诉', '建议', '学习内容', '考试', '积分与排行', '系统使用', '其他']

export const feedbackApi = {
  submit: (body: FeedbackInput) => post<{ id: number; status: 'submitted' }>('/api/feedback', body),
  list: (f: FeedbackFilter = {}) => get<Page<FeedbackItem>>(`/api/feedback${toQuery(f)}`),
  get: (id: number) => get<FeedbackItem>(`/api/feedback/${id}`),
  reply: (id: number, text: string) => post<FeedbackItem>(`/api/feedback/${id}/reply`, { text }),
  close: (id: number) => post<FeedbackItem>(`/api/feedback/${id}/close`),
  summary: (month?: string) => get<FeedbackSummary>(`/api/feedback/summary${toQuery({ month })}`),
}
