// Request and response shapes of the notification centre.
import { Type, type Static } from '@sinclair/typebox'
import type { NotificationPayload } from '../../realtime/events-map.js'

/**
 * What a notification is about. Every kind is organised work (an exam, a task, an activity, a
 * 通报): there is no kind that asks anyone to log in or study more.
 */
export const NOTIFICATION_KINDS = [
  'exam_published',
  'exam_opening',
  'exam_closing',
  'results_released',
  'bulletin',
  'task_issued',
  'task_overdue',
  'contest_starting',
  'feedback_replied',
  'feedback_overdue',
  'comment_moderated',
] as const
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

/**
 * The organised work each kind is about, in the policy's ORGANISED_WORK terms. With the switch
 * `remindersOrganisedOnly` on, `notify` sends a kind only when its work is on that list, so a kind
 * added later that is not about organised work (a study-habit nudge) is held back by the policy.
 */
export const KIND_WORK: Record<NotificationKind, string> = {
  exam_published: 'exam',
  exam_opening: 'exam',
  exam_closing: 'exam',
  results_released: 'exam',
  bulletin: 'bulletin',
  task_issued: 'task',
  task_overdue: 'task',
  contest_starting: 'contest',
  feedback_replied: 'feedback',
  feedback_overdue: 'feedback',
  comment_moderated: 'feedback',
}

/** The work a kind is about; an unknown kind is its own (and so not organised work). */
export const workOf = (kind: string): string => (KIND_WORK as Record<string, string>)[kind] ?? kind

export const NotificationBody = Type.Object({
  id: Type.Integer(),
  kind: Type.Unsafe<NotificationKind>(Type.String({ enum: [...NOTIFICATION_KINDS] })),
  title: Type.String(),
  body: Type.String(),
  link: Type.Union([Type.String({ description: '应用内地址，如 /exams/12' }), Type.Null()]),
  createdAt: Type.String(),
  readAt: Type.Union([Type.String(), Type.Null()]),
})

export const NotificationQuery = Type.Object({
  unread: Type.Optional(Type.Boolean({ description: 'true：只看未读' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
})

export const UnreadCount = Type.Object({ unread: Type.Integer() })
export const ReadAllResult = Type.Object({ updated: Type.Integer() })

export type NotificationBody = Static<typeof NotificationBody>

// The socket push carries the same shape as the list: a compile error here means they drifted.
export const payloadMatchesList = (n: NotificationBody): NotificationPayload => n
