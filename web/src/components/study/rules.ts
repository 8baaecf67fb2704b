// Point rules by name, and the toasts that announce an award (where each rule is earned: ruleTarget.ts).
import { showToast } from 'vant'
import type { Award } from '@/api/study'
import { pointsApi } from '@/api/points'
import { msg } from '@/messages'

export { ruleTarget } from './ruleTarget'

const FALLBACK_NAMES: Record<string, string> = {
  login: '登录',
  article: '文章选读',
  article_time: '阅读时长',
  video: '视听学习',
  video_time: '视听时长',
  daily_quiz: '每日答题',
  weekly_quiz: '每周答题',
  special_quiz: '专项答题',
  challenge: '挑战答题',
  opinion: '发表观点',
}

export async function ruleName(rule: string): Promise<string> {
  const rules = await pointsApi.rules().catch(() => [])
  return rules.find((r) => r.rule === rule)?.name ?? FALLBACK_NAMES[rule] ?? rule
}

/** “+1 文章选读” for each award, one after another so none hides another. */
export async function toastAwards(awards: Award[]) {
  if (!awards.length) return
  const lines = await Promise.all(awards.map(async (a) => msg.study.award(a.points, await ruleName(a.rule))))
  showToast({ message: lines.join('\n'), icon: 'medal-o', className: 'xc-award-toast', position: 'top', duration: 1800 })
}
