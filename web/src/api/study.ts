// Study materials, practice answer modes, 错题本 and study points, as the member app calls them.
import { get, post } from './client'
import type { Answer, PaperQuestion, QuestionType } from './exams'
import type { Page } from './types'

// ── points ──

export interface RuleProgress {
  rule: string
  name: string
  points: number
  earnedToday: number
  /** The cap for the rule's period (see capPeriod); null when uncapped. */
  dailyCap: number | null
  capPeriod: 'day' | 'week'
}

export interface MyPoints { today: number; total: number; streakDays: number; rules: RuleProgress[] }

export interface LedgerItem { id: number; rule: string; name: string; points: number; day: string; at: string; reason: string | null }

export interface PointRule {
  rule: string
  name: string
  points: number
  dailyCap: number | null
  weeklyCap: number | null
  unitSeconds: number | null
  version: number
  effectiveFrom: string
}

// ── materials ──

export type MaterialKind = 'article' | 'video'

export interface Material {
  id: number
  channel: string
  kind: MaterialKind
  title: string
  summary: string | null
  coverUrl: string | null
  videoUrl: string | null
  durationSeconds: number | null
  source: string | null
  publishedAt: string
}

export interface MaterialDetail extends Material {
  /** Sanitised on the server (sanitize-html with a small allow-list). */
  bodyHtml: string
  heartbeatSeconds: number
}

export interface Award { rule: string; points: number }
export interface HeartbeatResult { creditedSeconds: number; awards: Award[] }

export interface MaterialQuery { channel?: string; kind?: MaterialKind; q?: string; page?: number; pageSize?: number }

// ── answer modes ──

export type QuizMode = 'daily' | 'weekly' | 'special' | 'random'
export type PracticeMode = QuizMode | 'challenge' | 'wrongbook'

export interface QuestionSet {
  mode: QuizMode
  /** 随机练习: the run its answers must name (the server grades only what it served in it). */
  runId?: string
  questions: PaperQuestion[]
  /** Questions of this set already answered today (a reload resumes). */
  answered: Record<string, { correct: boolean }>
}

export interface ChallengeStep { runId: string; correct: number; ended: boolean; next: PaperQuestion | null }

export interface AnswerResult {
  correct: boolean
  correctAnswer: Answer | string[][]
  explanation: string | null
  points: number
  challenge?: ChallengeStep
}

export interface AnswerInput {
  mode: PracticeMode
  questionId: number
  answer: Answer
  elapsedMs?: number
  runId?: string
  category?: string
  size?: number
}

export interface ChallengeStart { runId: string; question: PaperQuestion | null; correct: number; ended: boolean }

export interface WrongBookEntry {
  questionId: number
  type: QuestionType
  stem: string
  options: { key: string; text: string }[] | null
  category: string
  wrongCount: number
  /** Days answered right since the last mistake; two different days clear the entry. */
  rightDays: number
  lastWrongAt: string
}

/** 专项答题 / 随机练习 categories a member can pick (the category API is for secretaries and up). */
export const STUDY_CATEGORIES = [
  '党史',
  '党史/新民主主义革命时期',
  '党史/社会主义革命和建设时期',
  '党史/改革开放和社会主义现代化建设新时期',
  '党史/中国特色社会主义新时代',
  '重要讲话',
  '三线精神',
  '贵州工业发展史',
  '党章党规',
  '红军在贵州',
] as const

function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

/** A wrong-book entry as a question to answer again. */
export function wrongBookQuestion(e: WrongBookEntry): PaperQuestion {
  return { id: e.questionId, type: e.type, stem: e.stem, options: e.options, score: 1 }
}

let rulesCache: Promise<PointRule[]> | null = null

export const studyApi = {
  myPoints: () => get<MyPoints>('/api/points/me'),
  ledger: (page: number, pageSize = 20) => get<Page<LedgerItem>>(`/api/points/ledger${query({ page, pageSize })}`),
  /** Rules change rarely: fetched once per page load (names for the award toasts). */
  rules: () => (rulesCache ??= get<PointRule[]>('/api/points/rules').catch((e) => { rulesCache = null; throw e })),

  channels: () => get<string[]>('/api/study/channels'),
  materials: (f: MaterialQuery) => get<Page<Material>>(`/api/study/materials${query({ ...f })}`),
  material: (id: number) => get<MaterialDetail>(`/api/study/materials/${id}`),
  heartbeat: (id: number, visible: boolean) => post<HeartbeatResult>(`/api/study/materials/${id}/heartbeat`, { visible }),

  quiz: (mode: QuizMode, opts: { category?: string; size?: number } = {}) => get<QuestionSet>(`/api/study/quiz/${mode}${query(opts)}`),
  answer: (input: AnswerInput) => post<AnswerResult>('/api/study/answers', input),
  startChallenge: () => post<ChallengeStart>('/api/study/challenge'),
  wrongBook: (category?: string) => get<WrongBookEntry[]>(`/api/study/wrong-book${query({ category })}`),
}
