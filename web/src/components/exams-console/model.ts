// Small helpers the console's exam screens share (the exam shapes are in api/exams.ts).
import type { ApiError } from '@/api/client'
import type { Exam, PaperRule } from '@/api/exams'

export type ExamPhase = 'upcoming' | 'running' | 'closed'

export function examPhase(exam: Pick<Exam, 'opensAt' | 'closesAt'>, now: Date = new Date()): ExamPhase {
  if (now < new Date(exam.opensAt)) return 'upcoming'
  if (now < new Date(exam.closesAt)) return 'running'
  return 'closed'
}

export const phaseTag: Record<ExamPhase, 'info' | 'success' | 'warning'> = { upcoming: 'info', running: 'success', closed: 'warning' }

export const round2 = (n: number) => Math.round(n * 100) / 100

export function rulesTotal(rules: Pick<PaperRule, 'count' | 'scoreEach'>[]) {
  return {
    count: rules.reduce((s, r) => s + (r.count || 0), 0),
    score: round2(rules.reduce((s, r) => s + (r.count || 0) * (r.scoreEach || 0), 0)),
  }
}

/** The rule index and availability a 422 from the paper check names ("paper.rules.2.count", "题目不足（可用 7）"). */
export function shortRuleOf(e: ApiError): { index: number; available: number } | null {
  const details = Array.isArray(e.details) ? (e.details as { field?: string; message?: string }[]) : []
  for (const d of details) {
    const m = /^paper\.rules\.(\d+)\.count$/.exec(d.field ?? '')
    if (m) return { index: Number(m[1]), available: Number(/(\d+)）?$/.exec(d.message ?? '')?.[1] ?? 0) }
  }
  return null
}
