import type { Answer } from '@/api/exams'
import { msg } from '@/messages'

/** "4月29日 09:00" in Shanghai time, whatever the device's zone. */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })
}

export function formatAnswer(a: Answer | string[][] | null | undefined): string {
  if (a === null || a === undefined) return msg.exam.notAnswered
  if (typeof a === 'boolean') return a ? msg.exam.judgeTrue : msg.exam.judgeFalse
  if (Array.isArray(a)) return a.map((x) => (Array.isArray(x) ? x.join(' / ') : x)).join(Array.isArray(a[0]) ? '；' : '')
  return a
}
