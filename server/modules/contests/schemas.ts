// Live contest (现场竞答) REST shapes; the game itself runs over the socket (events.ts).
import { Type, type Static } from '@sinclair/typebox'
import { Text } from '../../lib/schemas.js'

export const ContestCreate = Type.Object({
  title: Text(100),
  orgId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  /** A fixed list, asked in this order. May be empty when `draw` is given. */
  questionIds: Type.Array(Type.Integer({ minimum: 1, maximum: 2147483647 }), { maxItems: 50 }),
  secondsPerQuestion: Type.Integer({ minimum: 5, maximum: 120 }),
  /** Or draw this many published questions from the bank (optionally one category). */
  draw: Type.Optional(Type.Object({ count: Type.Integer({ minimum: 1, maximum: 50 }), category: Type.Optional(Text(200)) })),
})

export const ContestCreated = Type.Object({ id: Type.Integer(), pin: Type.String() })

/** `cancelled`: stopped by its host before its end (`POST /api/contests/:id/cancel`). */
const ContestStatus = Type.Union([Type.Literal('lobby'), Type.Literal('running'), Type.Literal('finished'), Type.Literal('cancelled')])

export const ContestItem = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  orgId: Type.Integer(),
  orgName: Type.String(),
  pin: Type.String(),
  status: ContestStatus,
  questionCount: Type.Integer(),
  /** Of them, skipped in play because an open exam held them when they came up. */
  skippedCount: Type.Integer(),
  secondsPerQuestion: Type.Integer(),
  players: Type.Integer(),
  createdAt: Type.String(),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  endedAt: Type.Union([Type.String(), Type.Null()]),
  activityId: Type.Union([Type.Integer(), Type.Null()]),
})

export const ContestQuery = Type.Object({
  orgId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
  status: Type.Optional(ContestStatus),
})

export const ContestResultRow = Type.Object({
  rank: Type.Integer(),
  userId: Type.Integer(),
  name: Type.String(),
  score: Type.Integer(),
  correct: Type.Integer(),
  orgName: Type.String(),
})

export type ContestCreateBody = Static<typeof ContestCreate>
export type ContestItemDto = Static<typeof ContestItem>
export type ContestResultDto = Static<typeof ContestResultRow>
