// Where each point rule is earned, and the toasts that announce an award.
import { showToast } from 'vant'
import type { RouteLocationRaw } from 'vue-router'
import type { Award } from '@/api/study'
import { pointsApi } from '@/api/points'
import { msg } from '@/messages'

/** The page that earns a rule; null for rules earned elsewhere (登录) or not open yet (发表观点). */
export function ruleTarget(rule: string): RouteLocationRaw | null {
  switch (rule) {
    case 'article':
    case 'article_time':
      return { name: 'study', query: { kind: 'article' } }
    case 'video':
    case 'video_time':
      return { name: 'study', query: { kind: 'video' } }
    case 'daily_quiz':
      return { name: 'quiz', params: { mode: 'daily' } }
    case 'weekly_quiz':
      return { name: 'quiz', params: { mode: 'weekly' } }
    case 'special_quiz':
      return { name: 'quiz', params: { mode: 'special' } }
    case 'challenge':
      return { name: 'challenge' }
    default:
      return null
  }
}

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
