import { Type, type Static } from '@sinclair/typebox'
import { Paging, Text } from '../../lib/schemas.js'

/** Categories a member picks from (投诉 complaints, 建议 suggestions, and the usual topics). */
export const FEEDBACK_CATEGORIES = ['投诉', '建议', '学习内容', '考试', '积分与排行', '系统使用', '其他'] as const

export const FeedbackStatus = Type.Union([Type.Literal('submitted'), Type.Literal('answered'), Type.Literal('closed')])

export const SubmitBody = Type.Object({
  category: Type.Union(FEEDBACK_CATEGORIES.map((c) => Type.Literal(c))),
  content: Text(2000),
  anonymous: Type.Optional(Type.Boolean()),
})

export const FeedbackItem = Type.Object({
  id: Type.Integer(),
  category: Type.String(),
  content: Type.String(),
  status: FeedbackStatus,
  createdAt: Type.String(),
  orgId: Type.Integer(),
  orgName: Type.Optional(Type.String()),
  /** Absent when the submitter chose to be anonymous (staff never learn who it was). */
  name: Type.Optional(Type.String()),
  anonymous: Type.Boolean(),
  reply: Type.Union([Type.String(), Type.Null()]),
  repliedAt: Type.Union([Type.String(), Type.Null()]),
  closedAt: Type.Union([Type.String(), Type.Null()]),
  /** Still unanswered after the deployment's answer time. */
  overdue: Type.Boolean(),
  mine: Type.Boolean(),
})
export type FeedbackItem = Static<typeof FeedbackItem>

export const ListQuery = Type.Object({
  mine: Type.Optional(Type.Boolean()),
  status: Type.Optional(FeedbackStatus),
  ...Paging,
})

export const ReplyBody = Type.Object({ text: Text(2000) })

export const Summary = Type.Object({
  month: Type.String(),
  submitted: Type.Integer(),
  answered: Type.Integer(),
  closed: Type.Integer(),
  open: Type.Integer(),
  overdue: Type.Integer(),
  avgAnswerHours: Type.Union([Type.Number(), Type.Null()]),
  byCategory: Type.Array(Type.Object({ category: Type.String(), count: Type.Integer() })),
})
export const SummaryQuery = Type.Object({ month: Type.Optional(Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' })) })
