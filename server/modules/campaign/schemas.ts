// Request and response shapes of the campaign ledger (五学 台账). The web imports these type-only.
import { Type, type Static } from '@sinclair/typebox'
import { Text } from '../../lib/schemas.js'

export const ACTIVITY_TYPES = ['lecture', 'theme_day', 'seminar', 'tutorial', 'screening', 'contest', 'other'] as const
export type ActivityType = (typeof ACTIVITY_TYPES)[number]
/** Every type a tally counts: the recorded activities, then exams (知识测试) and points-earning study (自学). */
export const TALLY_TYPES = [...ACTIVITY_TYPES, 'test', 'self_study'] as const
export type TallyType = (typeof TALLY_TYPES)[number]

export const ActivityTypeSchema = Type.Union([
  Type.Literal('lecture'),
  Type.Literal('theme_day'),
  Type.Literal('seminar'),
  Type.Literal('tutorial'),
  Type.Literal('screening'),
  Type.Literal('contest'),
  Type.Literal('other'),
])
export const TallyTypeSchema = Type.Union([...ActivityTypeSchema.anyOf, Type.Literal('test'), Type.Literal('self_study')])

const DateTime = Type.String({ format: 'date-time' })
/** A calendar day (YYYY-MM-DD, Shanghai) or an instant with offset. */
const DayOrTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}([Tt ][0-9:.]+([Zz]|[+-]\\d{2}:?\\d{2})?)?$', maxLength: 40 })
const Id = Type.Integer({ minimum: 1, maximum: 2147483647 })

export const ActivityCreate = Type.Object(
  {
    orgId: Id,
    type: ActivityTypeSchema,
    title: Text(200),
    startsAt: DateTime,
    endsAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
    place: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    speaker: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
    summary: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
    guests: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
    participantIds: Type.Optional(Type.Array(Id, { maxItems: 5000 })),
  },
  { additionalProperties: false },
)
export type ActivityCreate = Static<typeof ActivityCreate>

export const ActivityUpdate = Type.Partial(
  Type.Object({
    type: ActivityTypeSchema,
    title: Text(200),
    startsAt: DateTime,
    endsAt: Type.Union([DateTime, Type.Null()]),
    place: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
    speaker: Type.Union([Type.String({ maxLength: 100 }), Type.Null()]),
    summary: Type.Union([Type.String({ maxLength: 5000 }), Type.Null()]),
    guests: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  }),
  { additionalProperties: false, minProperties: 1 },
)
export type ActivityUpdate = Static<typeof ActivityUpdate>

export const ActivityBody = Type.Object({
  id: Type.Integer(),
  orgId: Type.Integer(),
  orgName: Type.Optional(Type.String()),
  type: ActivityTypeSchema,
  title: Type.String(),
  startsAt: Type.String(),
  endsAt: Type.Union([Type.String(), Type.Null()]),
  place: Type.Union([Type.String(), Type.Null()]),
  speaker: Type.Union([Type.String(), Type.Null()]),
  summary: Type.Union([Type.String(), Type.Null()]),
  guests: Type.Integer(),
  participants: Type.Integer(),
  checkedIn: Type.Integer(),
  attendance: Type.Integer(),
})
export type ActivityBody = Static<typeof ActivityBody>

export const ActivityQuery = Type.Object({
  orgId: Type.Optional(Id),
  type: Type.Optional(ActivityTypeSchema),
  from: Type.Optional(DayOrTime),
  to: Type.Optional(DayOrTime),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
})
export type ActivityQuery = Static<typeof ActivityQuery>

export const ActivityList = Type.Object({ items: Type.Array(ActivityBody), total: Type.Integer() })

export const ParticipantsBody = Type.Object({ userIds: Type.Array(Id, { minItems: 1, maxItems: 5000 }) }, { additionalProperties: false })

export const ParticipantRow = Type.Object({
  userId: Type.Integer(),
  name: Type.String(),
  orgName: Type.String(),
  checkedInAt: Type.Union([Type.String(), Type.Null()]),
  late: Type.Boolean(),
})
export type ParticipantRow = Static<typeof ParticipantRow>

/** A photo of an activity: served at `url` (/media/…); `name` is the file's name as uploaded. */
export const ActivityPhoto = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  name: Type.String(),
  bytes: Type.Integer(),
  createdAt: Type.String(),
})
export type ActivityPhoto = Static<typeof ActivityPhoto>

/** An attachment of an activity: downloaded (with a token) from `url`, never shown in the page. */
export const ActivityAttachment = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  name: Type.String(),
  bytes: Type.Integer(),
  contentType: Type.String(),
  createdAt: Type.String(),
})
export type ActivityAttachment = Static<typeof ActivityAttachment>

export const PhotoParams = Type.Object({ id: Id, photoId: Id })
export const AttachmentParams = Type.Object({ id: Id, attachmentId: Id })

/** A picture uploaded for rich text (简报, 月工作提示): its /media address. */
export const RichTextImage = Type.Object({ url: Type.String(), bytes: Type.Integer(), contentType: Type.String() })
export type RichTextImage = Static<typeof RichTextImage>

export const CheckinCodeBody = Type.Object({
  code: Type.String(),
  expiresAt: Type.String(),
  /** The link a phone opens after scanning (relative to the site). */
  url: Type.String(),
  /** The QR of `url` as an SVG document. */
  qrSvg: Type.String(),
})
export type CheckinCodeBody = Static<typeof CheckinCodeBody>

export const CheckinRequest = Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }) }, { additionalProperties: false })
export const CheckinAnswer = Type.Object({
  activityId: Type.Integer(),
  checkedInAt: Type.String(),
  late: Type.Boolean(),
  title: Type.String(),
  pointsEarned: Type.Integer(),
  repeated: Type.Boolean(),
})
export type CheckinAnswer = Static<typeof CheckinAnswer>

export const TallyQuery = Type.Object({
  orgId: Type.Optional(Id),
  from: Type.Optional(DayOrTime),
  to: Type.Optional(DayOrTime),
})
export type TallyQuery = Static<typeof TallyQuery>

export const TypeFigures = Type.Object({ type: TallyTypeSchema, sessions: Type.Integer(), attendance: Type.Integer() })
export const TallyBody = Type.Object({
  orgId: Type.Integer(),
  orgName: Type.String(),
  from: Type.Union([Type.String(), Type.Null()]),
  to: Type.Union([Type.String(), Type.Null()]),
  sessions: Type.Integer(),
  attendance: Type.Integer(),
  byType: Type.Array(TypeFigures),
  byOrg: Type.Array(
    Type.Object({
      orgId: Type.Integer(),
      name: Type.String(),
      sessions: Type.Integer(),
      attendance: Type.Integer(),
      byType: Type.Array(TypeFigures),
    }),
  ),
  /** Figures by Shanghai month (YYYY-MM) of the recorded activities, for the chart. */
  byMonth: Type.Array(Type.Object({ month: Type.String(), sessions: Type.Integer(), attendance: Type.Integer() })),
  /** The same by Shanghai week, named by its Monday (YYYY-MM-DD). */
  byWeek: Type.Array(Type.Object({ week: Type.String(), sessions: Type.Integer(), attendance: Type.Integer() })),
})
export type TallyBody = Static<typeof TallyBody>

export const WeekStep = Type.Object({ weekOf: Type.String({ format: 'date' }), text: Text(500) }, { additionalProperties: false })

export const TaskCreate = Type.Object(
  {
    title: Text(200),
    detail: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
    dueAt: DateTime,
    orgIds: Type.Array(Id, { minItems: 1, maxItems: 2000 }),
    weeks: Type.Optional(Type.Array(WeekStep, { maxItems: 10 })),
  },
  { additionalProperties: false },
)
export type TaskCreate = Static<typeof TaskCreate>

export const TaskOrgStatus = Type.Union([Type.Literal('open'), Type.Literal('done'), Type.Literal('overdue')])
export const TaskBody = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  detail: Type.Union([Type.String(), Type.Null()]),
  dueAt: Type.String(),
  weeks: Type.Array(Type.Object({ weekOf: Type.String(), text: Type.String() })),
  orgs: Type.Array(
    Type.Object({
      orgId: Type.Integer(),
      name: Type.String(),
      status: TaskOrgStatus,
      doneAt: Type.Optional(Type.String()),
      note: Type.Optional(Type.String()),
      activityId: Type.Optional(Type.Integer()),
    }),
  ),
})
export type TaskBody = Static<typeof TaskBody>
export const TaskQuery = Type.Object({ orgId: Type.Optional(Id) })
export const TaskDone = Type.Object(
  {
    orgId: Id,
    note: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    activityId: Type.Optional(Type.Union([Id, Type.Null()])),
  },
  { additionalProperties: false },
)
export type TaskDone = Static<typeof TaskDone>

export const ReportQuery = Type.Object({
  orgId: Type.Optional(Id),
  from: Type.Optional(DayOrTime),
  to: Type.Optional(DayOrTime),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('docx')], { default: 'json' })),
})
export type ReportQuery = Static<typeof ReportQuery>
export const ReportBody = Type.Object({
  title: Type.String(),
  orgId: Type.Integer(),
  orgName: Type.String(),
  sections: Type.Array(Type.Object({ title: Type.String(), text: Type.String() })),
  figures: Type.Object({
    sessions: Type.Integer(),
    attendance: Type.Integer(),
    byType: Type.Array(TypeFigures),
    tasks: Type.Object({ total: Type.Integer(), done: Type.Integer(), overdue: Type.Integer() }),
    bulletins: Type.Integer(),
    briefings: Type.Object({ submitted: Type.Integer(), published: Type.Integer() }),
  }),
})
export type ReportBody = Static<typeof ReportBody>

const Html = Type.String({ minLength: 1, maxLength: 200_000 })

export const BulletinCreate = Type.Object({ title: Text(200), bodyHtml: Html }, { additionalProperties: false })
export const BulletinBody = Type.Object({
  id: Type.Integer(),
  issueNo: Type.Integer(),
  title: Type.String(),
  issuedAt: Type.String(),
  readAt: Type.Union([Type.String(), Type.Null()]),
  bodyHtml: Type.Optional(Type.String()),
  /** Staff only: people of the caller's subtree who have read it. */
  readers: Type.Optional(Type.Integer()),
})
export type BulletinBody = Static<typeof BulletinBody>
export const BulletinReceipt = Type.Object({
  orgId: Type.Integer(),
  name: Type.String(),
  members: Type.Integer(),
  readers: Type.Integer(),
  firstReadAt: Type.Union([Type.String(), Type.Null()]),
})
export type BulletinReceipt = Static<typeof BulletinReceipt>

export const BriefingStatus = Type.Union([Type.Literal('submitted'), Type.Literal('published'), Type.Literal('returned')])
export const BriefingCreate = Type.Object({ orgId: Id, title: Text(200), bodyHtml: Html }, { additionalProperties: false })
export const BriefingReview = Type.Object(
  {
    action: Type.Union([Type.Literal('publish'), Type.Literal('return')]),
    note: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  },
  { additionalProperties: false },
)
export const BriefingQuery = Type.Object({ orgId: Type.Optional(Id), status: Type.Optional(BriefingStatus) })
export const BriefingBody = Type.Object({
  id: Type.Integer(),
  orgId: Type.Integer(),
  orgName: Type.String(),
  title: Type.String(),
  status: BriefingStatus,
  submittedAt: Type.String(),
  publishedAt: Type.Union([Type.String(), Type.Null()]),
  reviewNote: Type.Union([Type.String(), Type.Null()]),
  reads: Type.Integer(),
  bodyHtml: Type.Optional(Type.String()),
})
export type BriefingBody = Static<typeof BriefingBody>
