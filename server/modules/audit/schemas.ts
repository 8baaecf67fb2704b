import { Type, type Static } from '@sinclair/typebox'
import { Paging } from '../../lib/schemas.js'

export const AuditQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  /** An action, or a prefix ending in a dot: `auth.` is every sign-in event. */
  action: Type.Optional(Type.String({ maxLength: 60 })),
  actorId: Type.Optional(Type.Integer({ minimum: 1 })),
  targetType: Type.Optional(Type.String({ maxLength: 40 })),
  ...Paging,
})
export type AuditQuery = Static<typeof AuditQuery>

export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  actorId: Type.Union([Type.Integer(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  actorUsername: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  targetText: Type.String({ description: '对象，中文（如“用户 #3”）' }),
  detailsText: Type.String({ description: '详情，中文键值（如“IP：…；动态口令：否”）' }),
})
export type AuditEntry = Static<typeof AuditEntry>
export const AuditPage = Type.Object({ items: Type.Array(AuditEntry), total: Type.Integer() })
