// Request and response shapes of the study module (TypeBox: validation, OpenAPI and types from one place).
import { Type, type Static } from '@sinclair/typebox'
import { PublicQuestionBody, Text } from '../../lib/schemas.js'
import { CHANNELS } from './channels.js'

/**
 * A cover or video is one of our uploads (`/media/<random>.<ext>`) or an https address; never a
 * `javascript:`/`data:` URL or a path elsewhere on this site.
 */
const MediaUrl = (kind: 'image' | 'video') =>
  Type.String({
    maxLength: 1000,
    pattern: `^(/media/[a-f0-9]{32}\\.(${kind === 'image' ? 'jpg|png|webp' : 'mp4|webm'})|https://[^\\s"'<>\\\\]+)$`,
    description: kind === 'image' ? '封面：上传后的 /media/… 地址或 https 地址' : '视频：上传后的 /media/… 地址或 https 地址',
  })

export const MaterialBody = Type.Object({
  channel: Type.Union(CHANNELS.map((c) => Type.Literal(c))),
  kind: Type.Union([Type.Literal('article'), Type.Literal('video')]),
  title: Text(120),
  summary: Type.Optional(Type.String({ maxLength: 500 })),
  coverUrl: Type.Optional(MediaUrl('image')),
  bodyHtml: Type.Optional(Type.String({ maxLength: 200_000 })),
  videoUrl: Type.Optional(MediaUrl('video')),
  durationSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_000 })),
  source: Type.Optional(Type.String({ maxLength: 500 })),
  status: Type.Optional(Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('retired')])),
})

// Types of the shapes above, for services and (type-only) for the web app.
export type MaterialInput = Static<typeof MaterialBody>

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const MaterialDto = Type.Object({
  id: Type.Integer(),
  channel: Type.String(),
  kind: Type.String(),
  title: Type.String(),
  summary: Nullable(Type.String()),
  coverUrl: Nullable(Type.String()),
  videoUrl: Nullable(Type.String()),
  durationSeconds: Nullable(Type.Integer()),
  source: Nullable(Type.String()),
  status: Type.String(),
  publishedAt: Type.String(),
  bodyHtml: Type.Optional(Type.String()),
  heartbeatSeconds: Type.Optional(Type.Integer({ description: '学习心跳间隔（秒）' })),
})
export const MaterialPage = Type.Object({ items: Type.Array(MaterialDto), total: Type.Integer() })

export const HeartbeatResult = Type.Object({
  creditedSeconds: Type.Integer(),
  awards: Type.Array(Type.Object({ rule: Type.String(), points: Type.Number() })),
})

export const QuestionSetBody = Type.Object({
  mode: Type.String(),
  runId: Type.Optional(Type.String()),
  questions: Type.Array(PublicQuestionBody),
  answered: Type.Record(Type.String(), Type.Object({ correct: Type.Boolean() }), { description: '今天本组题目已答情况，键为题目 id' }),
})

const ChallengeStep = Type.Object({
  runId: Type.String(),
  correct: Type.Integer(),
  ended: Type.Boolean(),
  next: Nullable(PublicQuestionBody),
})

export const PracticeResult = Type.Object({
  correct: Type.Boolean(),
  correctAnswer: Type.Unknown(),
  explanation: Nullable(Type.String()),
  points: Type.Number(),
  challenge: Type.Optional(ChallengeStep),
})

export const ChallengeStart = Type.Object({
  runId: Type.String(),
  question: Nullable(PublicQuestionBody),
  correct: Type.Integer(),
  ended: Type.Boolean(),
})

export const WrongBookItem = Type.Object({
  questionId: Type.Integer(),
  type: Type.String(),
  stem: Type.String(),
  options: Nullable(Type.Array(Type.Object({ key: Type.String(), text: Type.String() }))),
  category: Type.String(),
  wrongCount: Type.Integer(),
  rightDays: Type.Integer(),
  lastWrongAt: Type.String(),
})

export type MaterialDto = Static<typeof MaterialDto>
export type QuestionSetBody = Static<typeof QuestionSetBody>
export type PracticeResult = Static<typeof PracticeResult>
export type ChallengeStart = Static<typeof ChallengeStart>
export type WrongBookItem = Static<typeof WrongBookItem>
export type HeartbeatResultDto = Static<typeof HeartbeatResult>
