// Request and response shapes of what staff and members see of an exam's outcome.
import { Type, type Static } from '@sinclair/typebox'

export const ResultsQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])),
  orgId: Type.Optional(Type.Integer({ minimum: 1 })),
  status: Type.Optional(Type.Union([Type.Literal('not_started'), Type.Literal('in_progress'), Type.Literal('submitted')])),
})

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const ResultRowBody = Type.Object({
  userId: Type.Integer(),
  name: Type.String(),
  username: Type.String(),
  orgId: Type.Integer(),
  orgName: Type.String(),
  status: Type.Union([Type.Literal('not_started'), Type.Literal('in_progress'), Type.Literal('submitted')]),
  score: Nullable(Type.Number()),
  passed: Nullable(Type.Boolean()),
  startedAt: Nullable(Type.String()),
  submittedAt: Nullable(Type.String()),
  attempts: Type.Integer(),
  answered: Type.Integer(),
  blurCount: Type.Integer(),
  reloadCount: Type.Integer(),
  deviceSwitches: Type.Integer(),
  deadline: Nullable(Type.String()),
  attemptId: Nullable(Type.Integer()),
  keyShown: Type.Boolean({ description: '该人员的复核已显示过本场考试的答案和解析：不能再重新开放或加一次机会' }),
})

export const LeaderboardRowBody = Type.Object({
  rank: Type.Integer(),
  userId: Type.Integer(),
  name: Type.String(),
  orgName: Type.String(),
  score: Type.Number(),
  durationSeconds: Type.Integer(),
})

export const MonitorBody = Type.Object({
  invited: Type.Integer(),
  started: Type.Integer(),
  submitted: Type.Integer(),
  byOrg: Type.Array(
    Type.Object({
      orgId: Type.Integer(),
      name: Type.String(),
      invited: Type.Integer(),
      started: Type.Integer(),
      submitted: Type.Integer(),
      avgScore: Nullable(Type.Number()),
    }),
  ),
})

export const StatsBody = Type.Object({
  submitted: Type.Integer(),
  average: Nullable(Type.Number()),
  distribution: Type.Array(Type.Object({ from: Type.Number(), to: Type.Number(), count: Type.Integer() })),
  questions: Type.Array(
    Type.Object({
      questionId: Type.Integer(),
      stem: Type.String(),
      type: Type.String(),
      shown: Type.Integer(),
      answered: Type.Integer(),
      correct: Type.Integer(),
      correctRate: Nullable(Type.Number()),
    }),
  ),
  questionsWithheld: Type.Optional(Type.String({ description: '各题不列出时的原因（本人仍可参加该考试的书记）' })),
})

export type ResultRowBody = Static<typeof ResultRowBody>
export type LeaderboardRowBody = Static<typeof LeaderboardRowBody>
export type MonitorBody = Static<typeof MonitorBody>
export type StatsBody = Static<typeof StatsBody>

export const ItemStatsBody = Type.Object({
  questionId: Type.Integer(),
  type: Type.String(),
  stem: Type.String(),
  responses: Type.Integer({ description: '作答人次（已交卷）' }),
  fewResponses: Type.Boolean({ description: '作答不足 5 人次：区分度等指标说明不了问题，不作提示，页面不显示' }),
  facility: Nullable(Type.Number({ description: '通过率：答对人次 ÷ 作答人次' })),
  discrimination: Nullable(Type.Number({ description: '区分度：答对与否与其余各题得分的点二列相关系数' })),
  upperLower: Nullable(Type.Number({ description: '高低分组法：前 27% 答对率 − 后 27% 答对率' })),
  options: Type.Array(Type.Object({ key: Type.String(), text: Type.String(), chosen: Type.Integer(), correct: Type.Boolean() })),
  flags: Type.Array(Type.Union([Type.Literal('too_easy'), Type.Literal('too_hard'), Type.Literal('negative_discrimination')])),
})
export const AnalysisBody = Type.Object({ questions: Type.Array(ItemStatsBody) })
export const ReviewResult = Type.Object({ questionId: Type.Integer(), status: Type.Literal('draft'), reviewId: Type.Integer() })
export const AnalysisParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  questionId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
})

export type ItemStatsBody = Static<typeof ItemStatsBody>
export type AnalysisBody = Static<typeof AnalysisBody>
