// Chinese names of the ledger's types, as units write them in their 台账 and reports.
import type { TallyType } from './schemas.js'

export const TYPE_LABELS: Record<TallyType, string> = {
  lecture: '宣讲/党课',
  theme_day: '主题党日',
  seminar: '集中研讨',
  tutorial: '专题辅导',
  screening: '视频展播',
  contest: '知识竞赛',
  other: '其他活动',
  test: '知识测试',
  self_study: '自学',
}
