import type { Answer } from '@/api/attempts'
import { msg } from '@/messages'

export function formatAnswer(a: Answer | string[][] | null | undefined): string {
  if (a === null || a === undefined) return msg.exam.notAnswered
  if (typeof a === 'boolean') return a ? msg.exam.judgeTrue : msg.exam.judgeFalse
  if (Array.isArray(a)) return a.map((x) => (Array.isArray(x) ? x.join(' / ') : x)).join(Array.isArray(a[0]) ? '；' : '')
  return a
}
