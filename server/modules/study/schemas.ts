// Request shapes of the study module (TypeBox: validation, OpenAPI and types from one place).
import { Type, type Static } from '@sinclair/typebox'
import { Text } from '../../lib/schemas.js'
import { CHANNELS } from './channels.js'

/**
 * A cover or video is one of our uploads (`/media/<random>.<ext>`) or an https address; never a
 * `javascript:`/`data:` URL or a path elsewhere on this site.
 */
const MediaUrl = (kind: 'image' | 'video') => Type.String({
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
