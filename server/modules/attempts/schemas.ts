// Request and response shapes of taking an exam.
import { Type, type Static } from '@sinclair/typebox'
import { PublicQuestionBody as PaperQuestionBody, Text } from '../../lib/schemas.js'

export const AnswerBody = Type.Object({ answer: Type.Unknown() })
export const AttemptParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) })
export const AnswerParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2147483647 }),
  questionId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
})

/** `attempt:save` over the socket: the route's params and body in one payload. */
export const SocketSave = Type.Object({
  attemptId: AnswerParams.properties.id,
  questionId: AnswerParams.properties.questionId,
  answer: Type.Unknown(),
  deviceId: Type.Optional(Type.String()),
})

export const StartBody = Type.Optional(Type.Object({ deviceId: Type.Optional(Type.String({ maxLength: 100 })) }))

export const AllowanceBody = Type.Object({
  userId: Type.Integer({ minimum: 1 }),
  extraMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
  extraAttempts: Type.Optional(Type.Integer({ minimum: 0, maximum: 20 })),
  reason: Text(500),
})

export const ReopenBody = Type.Object({ reason: Text(500), minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 600 })) })

export const IntegrityBody = Type.Object({
  type: Type.Union([Type.Literal('blur'), Type.Literal('hidden'), Type.Literal('reload')]),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
})

export const StartedAttempt = Type.Object({
  attemptId: Type.Integer(),
  examId: Type.Integer(),
  deadline: Type.String(),
  serverNow: Type.String(),
  questions: Type.Array(PaperQuestionBody),
  answers: Type.Record(Type.String(), Type.Unknown(), { description: '已保存的答案，键为题目 id' }),
})

export const SubmitResult = Type.Object({
  score: Type.Number(),
  maxScore: Type.Number(),
  passed: Type.Boolean(),
  submittedAt: Type.String(),
})

const ReviewedQuestion = Type.Composite([
  PaperQuestionBody,
  Type.Object({
    correctAnswer: Type.Unknown(),
    explanation: Type.Union([Type.String(), Type.Null()]),
    yourAnswer: Type.Unknown(),
    correct: Type.Boolean(),
    earned: Type.Number(),
  }),
])

export const AttemptViewBody = Type.Object({
  attemptId: Type.Integer(),
  examId: Type.Integer(),
  examTitle: Type.String(),
  status: Type.String(),
  startedAt: Type.String(),
  deadline: Type.String(),
  maxScore: Type.Number(),
  reviewAvailable: Type.Boolean(),
  submittedAt: Type.Optional(Type.String()),
  score: Type.Optional(Type.Number()),
  passed: Type.Optional(Type.Boolean()),
  reviewOpensAt: Type.Optional(Type.String()),
  questions: Type.Optional(Type.Array(ReviewedQuestion)),
})

export const AllowanceResult = Type.Object({
  examId: Type.Integer(),
  userId: Type.Integer(),
  extraMinutes: Type.Integer(),
  extraAttempts: Type.Integer(),
})
export const ReopenResult = Type.Object({ attemptId: Type.Integer(), status: Type.String(), deadline: Type.String() })
export const Saved = Type.Object({ savedAt: Type.String() })
export const Ok = Type.Object({ ok: Type.Boolean() })

export type StartedAttempt = Static<typeof StartedAttempt>
export type SubmitResult = Static<typeof SubmitResult>
export type AttemptViewBody = Static<typeof AttemptViewBody>
