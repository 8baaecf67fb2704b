import { Type, type Static } from '@sinclair/typebox'
import { Text } from '../../lib/schemas.js'

export const PrivacyBody = Type.Object({ showOnLeaderboards: Type.Boolean() })
export const PrivacyState = Type.Object({
  showOnLeaderboards: Type.Boolean(),
  /** The first-login notice was shown and answered. */
  noticeSeen: Type.Boolean(),
  /** Pending deletion request, if any. */
  deletionRequest: Type.Union([Type.Null(), Type.Object({ id: Type.Integer(), status: Type.String(), requestedAt: Type.String() })]),
})
export type PrivacyState = Static<typeof PrivacyState>

export const ExportQuery = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])) })

export const DeletionRequestBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) })
export const DeletionRequest = Type.Object({
  id: Type.Integer(),
  userId: Type.Integer(),
  name: Type.String(),
  username: Type.String(),
  orgName: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
  requestedAt: Type.String(),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
})
export type DeletionRequest = Static<typeof DeletionRequest>
export const DecideBody = Type.Object({ approve: Type.Boolean(), note: Type.Optional(Text(500)) })
