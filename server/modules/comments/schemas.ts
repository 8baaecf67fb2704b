// Request and response shapes of 发表观点 (comments) and its moderation.
import { Type, type Static } from '@sinclair/typebox'
import { Paging, Text } from '../../lib/schemas.js'

export const CommentTarget = Type.Union([Type.Literal('material'), Type.Literal('column')], {
  description: 'material：学习资料；column：学习教育专栏中已发布的简报',
})
export const CommentStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')])
const Id = Type.Integer({ minimum: 1, maximum: 2147483647 })

export const CreateBody = Type.Object({
  targetType: CommentTarget,
  targetId: Id,
  content: Text(500, { description: '纯文本，最多 500 字；HTML 标签会被去掉' }),
})
export const Created = Type.Object({ id: Type.Integer(), status: Type.Literal('pending') })

export const ListQuery = Type.Object({
  targetType: CommentTarget,
  targetId: Id,
  page: Paging.page,
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})

export const CommentItem = Type.Object({
  id: Type.Integer(),
  targetType: CommentTarget,
  targetId: Type.Integer(),
  content: Type.String(),
  status: CommentStatus,
  /** Why it was not approved: shown to its author (and staff) only. */
  reason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  moderatedAt: Type.Union([Type.String(), Type.Null()]),
  /** Masked (张*) unless she agreed to show her name (the 排行榜 consent); her own shows in full. */
  name: Type.String(),
  orgName: Type.String(),
  mine: Type.Boolean(),
})
export type CommentItem = Static<typeof CommentItem>

export const ModerationItem = Type.Object({
  ...CommentItem.properties,
  userId: Type.Integer(),
  targetTitle: Type.Union([Type.String(), Type.Null()]),
  /** In-app address of what was commented on. */
  targetLink: Type.String(),
  moderatorName: Type.Union([Type.String(), Type.Null()]),
  /** On approval: the 发表观点 points this earned (0 once the day's cap is reached). */
  pointsAwarded: Type.Optional(Type.Integer()),
})
export type ModerationItem = Static<typeof ModerationItem>

export const ModerationQuery = Type.Object({
  status: Type.Optional(CommentStatus),
  ...Paging,
})

export const RejectBody = Type.Object({ reason: Text(200, { description: '告知作者的原因' }) })

export const SensitiveWords = Type.Object({
  words: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 5000 }),
})
export type SensitiveWords = Static<typeof SensitiveWords>
