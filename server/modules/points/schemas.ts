// Request and response shapes of the points module (TypeBox: validation, OpenAPI and, type-only,
// the web app's types).
import { Type, type Static } from '@sinclair/typebox'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const PeriodSchema = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('total')])

export const RuleDto = Type.Object({
  rule: Type.String(),
  name: Type.String(),
  points: Type.Integer(),
  dailyCap: Nullable(Type.Integer()),
  weeklyCap: Nullable(Type.Integer()),
  unitSeconds: Nullable(Type.Integer()),
  version: Type.Integer(),
  effectiveFrom: Type.String(),
  /** login and time rules are the kinds 国办函〔2026〕12号 names; the policy may switch any rule off. */
  kind: Type.Union([Type.Literal('login'), Type.Literal('time'), Type.Literal('activity')]),
  enabled: Type.Boolean(),
})

export const MyPointsBody = Type.Object({
  today: Type.Number(),
  total: Type.Number(),
  streakDays: Type.Integer(),
  enabled: Type.Boolean({ description: '本系统是否开启积分（合规设置可关闭）' }),
  rules: Type.Array(
    Type.Object({
      rule: Type.String(),
      name: Type.String(),
      points: Type.Number(),
      earnedToday: Type.Number(),
      dailyCap: Nullable(Type.Number()),
      capPeriod: Type.Union([Type.Literal('day'), Type.Literal('week')]),
    }),
  ),
})

export const LedgerPage = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      rule: Type.String(),
      name: Type.String(),
      points: Type.Number(),
      day: Type.String(),
      at: Type.String(),
      reason: Nullable(Type.String()),
    }),
  ),
  total: Type.Integer(),
})

export const AdjustResult = Type.Object({
  ok: Type.Boolean(),
  duplicate: Type.Boolean({ description: '同一 requestId 已调整过，本次未重复记入' }),
})

export const FlagRow = Type.Object({
  userId: Type.Integer(),
  name: Type.String(),
  orgName: Type.String(),
  answers: Type.Integer(),
  medianMs: Type.Integer(),
  reasons: Type.Array(Type.String()),
})

export type RuleDto = Static<typeof RuleDto>
export type MyPointsBody = Static<typeof MyPointsBody>
export type LedgerPage = Static<typeof LedgerPage>
export type FlagRow = Static<typeof FlagRow>
