// Exam shapes as the API answers them (server/modules/exams), and small helpers
// the console's exam screens share.
import dayjs from 'dayjs'
import type { QuestionOption, QuestionType } from '@/api/questions'
import type { ApiError } from '@/api/client'

export type ReleaseResults = 'immediately' | 'after_close'
export type MultipleScoring = 'all_or_nothing' | 'partial'

export interface PaperRule { category?: string; type: QuestionType; count: number; scoreEach: number; difficulty?: number }
export interface FixedPaper { questionIds: number[]; scoreEach: number }
export interface RulesPaper { rules: PaperRule[] }
export type PaperSpec = FixedPaper | RulesPaper
export const isFixedPaper = (p: PaperSpec): p is FixedPaper => 'questionIds' in p

export interface ExamInput {
  title: string
  instructions?: string
  opensAt: string
  closesAt: string
  durationMinutes: number
  audienceOrgIds: number[]
  passScore: number
  maxAttempts: number
  shuffleQuestions: boolean
  shuffleOptions: boolean
  releaseResults: ReleaseResults
  multipleScoring: MultipleScoring
  oneDevice: boolean
  paper: PaperSpec
}

export interface Exam extends Omit<ExamInput, 'instructions'> {
  id: number
  instructions: string | null
  maxScore: number
  questionCount: number
  createdAt: string
  archivedAt?: string | null
  /** Whether anyone has started it (then it can be archived, not withdrawn). */
  started?: boolean
}

/** Fields the server refuses to change once the exam has opened (server/modules/exams/service.ts). */
export const FROZEN_AFTER_OPEN = ['paper', 'durationMinutes', 'shuffleQuestions', 'shuffleOptions', 'multipleScoring', 'opensAt', 'passScore', 'maxAttempts', 'audienceOrgIds'] as const

/** A question as a member sees it: no key, no explanation. */
export interface PublicQuestion { id: number; type: QuestionType; stem: string; options: QuestionOption[] | null; score: number; blanks?: number }

export interface PaperPreview {
  maxScore: number
  questionCount: number
  rules?: { index: number; available: number; needed: number }[]
  questions: PublicQuestion[]
}

export type PersonStatus = 'not_started' | 'in_progress' | 'submitted'

export interface ResultRow {
  userId: number; name: string; username: string; orgId: number; orgName: string; status: PersonStatus
  score: number | null; passed: boolean | null; startedAt: string | null; submittedAt: string | null
  attempts: number; answered: number; blurCount: number; reloadCount: number; deviceSwitches: number; deadline: string | null; attemptId: number | null
}

export interface ExamStats {
  submitted: number
  average: number | null
  distribution: { from: number; to: number; count: number }[]
  questions: { questionId: number; stem: string; type: QuestionType; shown: number; answered: number; correct: number; correctRate: number | null }[]
}

export interface Monitor {
  invited: number; started: number; submitted: number
  byOrg: { orgId: number; name: string; invited: number; started: number; submitted: number; avgScore: number | null }[]
}

export interface LeaderboardRow { rank: number; userId: number; name: string; orgName: string; score: number; durationSeconds: number }

export type ExamPhase = 'upcoming' | 'running' | 'closed'

export function examPhase(exam: Pick<Exam, 'opensAt' | 'closesAt'>, now: Date = new Date()): ExamPhase {
  if (now < new Date(exam.opensAt)) return 'upcoming'
  if (now < new Date(exam.closesAt)) return 'running'
  return 'closed'
}

export const phaseTag: Record<ExamPhase, 'info' | 'success' | 'warning'> = { upcoming: 'info', running: 'success', closed: 'warning' }

export const fmtTime = (iso: string | null | undefined) => (iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '—')
/** Time of day with seconds; the date too when it is not today. */
export const fmtClock = (iso: string | null | undefined) => (!iso ? '—' : dayjs(iso).isSame(dayjs(), 'day') ? dayjs(iso).format('HH:mm:ss') : dayjs(iso).format('MM-DD HH:mm'))

/** Window as one compact string: the second date is left out when the window stays within one day. */
export function fmtWindow(opensAt: string, closesAt: string) {
  const a = dayjs(opensAt)
  const b = dayjs(closesAt)
  return `${a.format('YYYY-MM-DD HH:mm')} ~ ${b.isSame(a, 'day') ? b.format('HH:mm') : b.format('YYYY-MM-DD HH:mm')}`
}

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
