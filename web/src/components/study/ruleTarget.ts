// Where each point rule is earned. On its own (no toasts, no API) so that 首页's points card does not
// load vant's popups with it.
import type { RouteLocationRaw } from 'vue-router'

/**
 * The page that earns a rule; null for rules earned elsewhere (登录). 发表观点 is earned under a
 * material, 活动签到 by the code or QR a secretary shows at the activity (the 签到 page takes both).
 */
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
    case 'battle_duel':
      return { name: 'battle', query: { mode: 'duel' } }
    case 'battle_four':
      return { name: 'battle', query: { mode: 'four' } }
    case 'activity_checkin':
      return { name: 'checkin' }
    default:
      return null
  }
}
