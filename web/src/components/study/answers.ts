import type { Answer, PaperQuestion } from '@/api/attempts'

/** Whether an answer is complete enough to submit: an option picked, every blank filled. */
export function isComplete(q: PaperQuestion, a: Answer | undefined): boolean {
  if (a === undefined || a === null) return false
  if (q.type === 'judge') return typeof a === 'boolean'
  if (q.type === 'single') return typeof a === 'string' && a !== ''
  if (q.type === 'multiple') return Array.isArray(a) && a.length > 0
  const blanks = q.blanks ?? Math.max(1, q.stem.split('____').length - 1)
  return Array.isArray(a) && a.length === blanks && a.every((x) => String(x).trim() !== '')
}

/** Fill answers are sent trimmed. */
export function normalise(q: PaperQuestion, a: Answer): Answer {
  return q.type === 'fill' && Array.isArray(a) ? a.map((x) => String(x).trim()) : a
}
