// Battle REST shapes (the game itself runs over the socket; see events.ts).
import { Type, type Static } from '@sinclair/typebox'

export const BattleToday = Type.Object({
  day: Type.String(),
  rounds: Type.Integer(),
  roundSeconds: Type.Number(),
  rules: Type.Array(
    Type.Object({
      mode: Type.Union([Type.Literal('duel'), Type.Literal('four')]),
      rule: Type.String(),
      name: Type.String(),
      dailyCap: Type.Union([Type.Integer(), Type.Null()]),
      earnedToday: Type.Integer(),
      games: Type.Integer(),
      wins: Type.Integer(),
      /** The rule of record, in words, for the entry page. */
      text: Type.String(),
    }),
  ),
})

export const Colleague = Type.Object({ userId: Type.Integer(), name: Type.String() })

export const BattleFlag = Type.Object({
  userId: Type.Integer(),
  name: Type.String(),
  orgName: Type.String(),
  answers: Type.Integer(),
  tooFast: Type.Integer(),
  battles: Type.Integer(),
})

export type BattleTodayDto = Static<typeof BattleToday>
export type ColleagueDto = Static<typeof Colleague>
export type BattleFlagDto = Static<typeof BattleFlag>
