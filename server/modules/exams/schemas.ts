import { Type, type Static } from '@sinclair/typebox'
import { PublicQuestionBody, Text } from '../../lib/schemas.js'

const QuestionType = Type.Union([Type.Literal('single'), Type.Literal('multiple'), Type.Literal('judge'), Type.Literal('fill')])

export const PaperRule = Type.Object({
  category: Type.Optional(Type.String({ maxLength: 200 })),
  type: QuestionType,
  count: Type.Integer({ minimum: 1, maximum: 500 }),
  scoreEach: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
  difficulty: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
})

export const PaperSpec = Type.Union([
  Type.Object(
    {
      questionIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500 }),
      scoreEach: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ rules: Type.Array(PaperRule, { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
])

const ReleaseResults = Type.Union([Type.Literal('immediately'), Type.Literal('after_close')])
const MultipleScoring = Type.Union([Type.Literal('all_or_nothing'), Type.Literal('partial')])

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
  releaseResults: ReleaseResults,
  multipleScoring: Type.Optional(MultipleScoring),
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
  releaseResults: ReleaseResults,
  multipleScoring: MultipleScoring,
  oneDevice: Type.Boolean(),
  paper: Type.Any(),
  maxScore: Type.Number(),
  questionCount: Type.Integer(),
  createdAt: Type.String(),
  archivedAt: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  started: Type.Optional(Type.Boolean()),
  myStatus: Type.Optional(
    Type.Union([
      Type.Literal('upcoming'),
      Type.Literal('available'),
      Type.Literal('in_progress'),
      Type.Literal('submitted'),
      Type.Literal('missed'),
    ]),
  ),
  myAttempts: Type.Optional(Type.Integer()),
  myBestScore: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  myAttemptId: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  myDeadline: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  serverNow: Type.Optional(Type.String()),
  attemptsAllowed: Type.Optional(Type.Integer()),
})

export const PreviewResult = Type.Object({
  maxScore: Type.Number(),
  questionCount: Type.Integer(),
  rules: Type.Optional(Type.Array(Type.Object({ index: Type.Integer(), available: Type.Integer(), needed: Type.Integer() }))),
  questions: Type.Array(PublicQuestionBody),
})

// Types of the shapes above, for services and (type-only) for the web app.
export type PaperRuleInput = Static<typeof PaperRule>
export type PaperSpecInput = Static<typeof PaperSpec>
export type ExamInput = Static<typeof CreateExamBody>
export type ExamPatch = Static<typeof UpdateExamBody>
export type ExamDto = Static<typeof ExamBody>
export type PreviewResultDto = Static<typeof PreviewResult>
