// Request and response shapes of what staff and members see of an exam's outcome.
import { Type, type Static } from '@sinclair/typebox'

export const ResultsQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])),
  orgId: Type.Optional(Type.Integer({ minimum: 1 })),
  status: Type.Optional(Type.Union([Type.Literal('not_started'), Type.Literal('in_progress'), Type.Literal('submitted')])),
})

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const ResultRowBody = Type.Object({
  userId: Type.Integer(), name: Type.String(), username: Type.String(), orgId: Type.Integer(), orgName: Type.String(),
  status: Type.Union([Type.Literal('not_started'), Type.Literal('in_progress'), Type.Literal('submitted')]),
  score: Nullable(Type.Number()), passed: Nullable(Type.Boolean()), startedAt: Nullable(Type.String()), submittedAt: Nullable(Type.String()),
  attempts: Type.Integer(), answered: Type.Integer(), blurCount: Type.Integer(), reloadCount: Type.Integer(), deviceSwitches: Type.Integer(),
  deadline: Nullable(Type.String()), attemptId: Nullable(Type.Integer()),
})

export const LeaderboardRowBody = Type.Object({
  rank: Type.Integer(), userId: Type.Integer(), name: Type.String(), orgName: Type.String(), score: Type.Number(), durationSeconds: Type.Integer(),
})

export const MonitorBody = Type.Object({
  invited: Type.Integer(), started: Type.Integer(), submitted: Type.Integer(),
  byOrg: Type.Array(Type.Object({
    orgId: Type.Integer(), name: Type.String(), invited: Type.Integer(), started: Type.Integer(), submitted: Type.Integer(), avgScore: Nullable(Type.Number()),
  })),
})

export const StatsBody = Type.Object({
  submitted: Type.Integer(), average: Nullable(Type.Number()),
  distribution: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), count: Type.Integer() })),
  questions: Type.Array(Type.Object({
    questionId: Type.Integer(), stem: Type.String(), type: Type.String(), shown: Type.Integer(), answered: Type.Integer(), correct: Type.Integer(),
    correctRate: Nullable(Type.Number()),
  })),
})

export type ResultRowBody = Static<typeof ResultRowBody>
export type LeaderboardRowBody = Static<typeof LeaderboardRowBody>
export type MonitorBody = Static<typeof MonitorBody>
export type StatsBody = Static<typeof StatsBody>
