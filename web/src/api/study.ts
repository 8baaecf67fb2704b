// Study materials (reading, console editing), practice answer modes and 错题本.
import { get, post, put, upload } from './client'
import type { Answer, PaperQuestion } from './attempts'
import type {
  ChallengeStartDto,
  HeartbeatResultDto,
  MaterialDto,
  MaterialInput,
  PracticeResult,
  QuestionSetBody,
  QuestionType,
  WrongBookItem,
} from './contracts'
import { toQuery, type Page } from './types'

// ── materials ──

export type MaterialKind = MaterialInput['kind']
export type MaterialStatus = NonNullable<MaterialInput['status']>
/** A material as listed (the server's MaterialDto; the detail adds the sanitised body). */
export type Material = Omit<MaterialDto, 'kind' | 'bodyHtml' | 'heartbeatSeconds'> & { kind: MaterialKind }
export type MaterialDetail = Material & { bodyHtml: string; heartbeatSeconds: number }
export type { MaterialInput }
export type HeartbeatResult = HeartbeatResultDto
export type Award = HeartbeatResult['awards'][number]

export interface MaterialQuery {
  channel?: string
  kind?: MaterialKind
  q?: string
  page?: number
  pageSize?: number
}

// ── answer modes ──

export type QuizMode = 'daily' | 'weekly' | 'special' | 'random'
export type PracticeMode = QuizMode | 'challenge' | 'wrongbook'

export type QuestionSet = Omit<QuestionSetBody, 'mode' | 'questions'> & { mode: QuizMode; questions: PaperQuestion[] }
export type ChallengeStep = Omit<NonNullable<PracticeResult['challenge']>, 'next'> & { next: PaperQuestion | null }
export type AnswerResult = Omit<PracticeResult, 'correctAnswer' | 'challenge'> & {
  correctAnswer: Answer | string[][]
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

export type ChallengeStart = Omit<ChallengeStartDto, 'question'> & { question: PaperQuestion | null }
export type WrongBookEntry = Omit<WrongBookItem, 'type'> & { type: QuestionType }

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

/** A wrong-book entry as a question to answer again. */
export function wrongBookQuestion(e: WrongBookEntry): PaperQuestion {
  return { id: e.questionId, type: e.type, stem: e.stem, options: e.options, score: 1 }
}

export const studyApi = {
  channels: () => get<string[]>('/api/study/channels'),
  materials: (f: MaterialQuery) => get<Page<Material>>(`/api/study/materials${toQuery({ ...f })}`),
  material: (id: number) => get<MaterialDetail>(`/api/study/materials/${id}`),
  heartbeat: (id: number, visible: boolean) => post<HeartbeatResult>(`/api/study/materials/${id}/heartbeat`, { visible }),

  quiz: (mode: QuizMode, opts: { category?: string; size?: number } = {}) => get<QuestionSet>(`/api/study/quiz/${mode}${toQuery(opts)}`),
  answer: (input: AnswerInput) => post<AnswerResult>('/api/study/answers', input),
  startChallenge: () => post<ChallengeStart>('/api/study/challenge'),
  wrongBook: (category?: string) => get<WrongBookEntry[]>(`/api/study/wrong-book${toQuery({ category })}`),

  // Console (admins): materials in every status, edited whole.
  adminMaterials: (f: MaterialQuery) => get<Page<Material & { status: MaterialStatus }>>(`/api/study/materials${toQuery({ ...f })}`),
  adminMaterial: (id: number) => get<MaterialDetail & { status: MaterialStatus }>(`/api/study/materials/${id}`),
  createMaterial: (body: MaterialInput) => post<MaterialDetail>('/api/study/materials', body),
  updateMaterial: (id: number, body: MaterialInput) => put<MaterialDetail>(`/api/study/materials/${id}`, body),
  uploadMedia: (file: File, onProgress?: (percent: number) => void) =>
    upload<{ url: string; bytes: number; contentType: string }>('/api/study/media', file, onProgress),
}
