import { Type } from '@sinclair/typebox'
import { Text } from '../../lib/schemas.js'

const QuestionType = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('judge'), Type.Literal('fill')])

export const PaperRule = Type.Object({
  category: Type.Optional(Type.String({ maxLength: 200 })),
  type: QuestionType,
  count: Type.Integer({ minimum: 1, maximum: 500 }),
  scoreEach: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
  difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
})

export const PaperSpec = Type.Union([
  Type.Object({ questionIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500 }), scoreEach: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }) }, { additionalProperties: false }),
  Type.Object({ rules: Type.Array(PaperRule, { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
])

const ExamFields = {
  title: Text(120),
  instructions: Type.Optional(Type.String({ maxLength: 5000 })),
  opensAt: Type.String({ format: 'date-time' }),
  closesAt: Type.String({ format: 'date-time' }),
  durationMinutes: Type.Integer({ minimum: 1, maximum: 1440 }),
  audienceOrgIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 200 }),
  passScore: Type.Number({ minimum: 0 }),
  maxAttempts: Type.Integer({ minimum: 1, maximum: 100 }),
  shuffleQuestions: Type.Boolean(),
  shuffleOptions: Type.Boolean(),
  releaseResults: Type.Union([Type.Literal('immediately'), Type.Literal('after_close')]),
  multipleScoring: Type.Optional(Type.Union([Type.Literal('all_or_nothing'), Type.Literal('partial')])),
  oneDevice: Type.Optional(Type.Boolean()),
  paper: PaperSpec,
}

export const CreateExamBody = Type.Object(ExamFields)
export const UpdateExamBody = Type.Partial(Type.Object(ExamFields), { minProperties: 1 })
export const PreviewBody = Type.Object({ paper: PaperSpec })

export const ExamBody = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  instructions: Type.Union([Type.String(), Type.Null()]),
  opensAt: Type.String(),
  closesAt: Type.String(),
  durationMinutes: Type.Integer(),
  audienceOrgIds: Type.Array(Type.Integer()),
  passScore: Type.Number(),
  maxAttempts: Type.Integer(),
  shuffleQuestions: Type.Boolean(),
  shuffleOptions: Type.Boolean(),
  releaseResults: Type.String(),
  multipleScoring: Type.String(),
  oneDevice: Type.Boolean(),
  paper: Type.Any(),
  maxScore: Type.Number(),
  questionCount: Type.Integer(),
  createdAt: Type.String(),
  archivedAt: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  started: Type.Optional(Type.Boolean()),
  myStatus: Type.Optional(Type.String()),
  myAttempts: Type.Optional(Type.Integer()),
  myBestScore: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  myAttemptId: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  myDeadline: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  serverNow: Type.Optional(Type.String()),
  attemptsAllowed: Type.Optional(Type.Integer()),
})

export const AnswerBody = Type.Object({ answer: Type.Unknown() })
export const AttemptParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) })
export const AnswerParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }), questionId: Type.Integer({ minimum: 1, maximum: 2147483647 }) })

export const StartBody = Type.Optional(Type.Object({ deviceId: Type.Optional(Type.String({ maxLength: 100 })) }))

export const AllowanceBody = Type.Object({
  userId: Type.Integer({ minimum: 1 }),
  extraMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
  extraAttempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  reason: Text(500),
})

export const ReopenBody = Type.Object({ reason: Text(500), minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })) })

export const IntegrityBody = Type.Object({ type: Type.Union([Type.Literal('blur'), Type.Literal('hidden'), Type.Literal('reload')]), count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) })

export const ResultsQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')])),
  orgId: Type.Optional(Type.Integer({ minimum: 1 })),
  status: Type.Optional(Type.Union([Type.Literal('not_started'), Type.Literal('in_progress'), Type.Literal('submitted')])),
})
