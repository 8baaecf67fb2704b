// How each kind of notification looks: an icon (vant name) and a short label, in plain Chinese.
import type { NotificationKind } from '@/api/contracts'

export const KIND_LOOK: Record<NotificationKind, { icon: string; label: string }> = {
  exam_published: { icon: 'records-o', label: '新考试' },
  exam_opening: { icon: 'clock-o', label: '即将开考' },
  exam_closing: { icon: 'warning-o', label: '即将截止' },
  results_released: { icon: 'medal-o', label: '成绩公布' },
  bulletin: { icon: 'volume-o', label: '通报' },
  task_issued: { icon: 'todo-list-o', label: '任务' },
  task_overdue: { icon: 'warning-o', label: '任务逾期' },
  contest_starting: { icon: 'fire-o', label: '竞答' },
  feedback_replied: { icon: 'chat-o', label: '投诉建议已答复' },
  feedback_overdue: { icon: 'warning-o', label: '投诉建议待答复' },
  comment_moderated: { icon: 'comment-o', label: '观点审核' },
}

export const lookOf = (kind: string) => KIND_LOOK[kind as NotificationKind] ?? { icon: 'bell', label: '通知' }
