// Where each point rule is earned. On its own (no toasts, no API) so that 首页's points card does not
// load vant's popups with it.
import type { RouteLocationRaw } from 'vue-router'

/** The page that earns a rule; null for rules earned elsewhere (登录). 发表观点 is earned under a material. */
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
    case 'opinion':
      return { name: 'study', query: { kind: 'article' } }
    default:
      return null
  }
}
