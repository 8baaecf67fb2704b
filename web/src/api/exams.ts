// Exam calls used by the member app.
import { get, post, put } from './client'

export type QuestionType = 'single' | 'multiple' | 'judge' | 'fill'
export type Answer = string | string[] | boolean
export type MyStatus = 'upcoming' | 'available' | 'in_progress' | 'submitted' | 'missed'

export interface ExamSummary {
  id: number
  title: string
  instructions: string | null
  opensAt: string
  closesAt: string
  durationMinutes: number
  passScore: number
  maxScore: number
  questionCount: number
  maxAttempts: number
  releaseResults: 'immediately' | 'after_close'
  myStatus?: MyStatus
  myAttempts?: number
  attemptsAllowed?: number
  myBestScore?: number | null
  myAttemptId?: number | null
  /** The running attempt's deadline and the server's now (members): time left on the intro. */
  myDeadline?: string | null
  serverNow?: string
  archivedAt?: string | null
  /** Staff list: whether anyone has started (then it can be archived, not withdrawn). */
  started?: boolean
}

export interface PaperQuestion {
  id: number
  type: QuestionType
  stem: string
  options: { key: string; text: string }[] | null
  score: number
  blanks?: number
}

export interface AttemptStart {
  attemptId: number
  examId: number
  deadline: string
  serverNow: string
  questions: PaperQuestion[]
  answers: Record<string, Answer>
}

export interface SubmitResult { score: number; maxScore: number; passed: boolean; submittedAt: string }

export interface ReviewQuestion extends PaperQuestion {
  correctAnswer: Answer | string[][]
  explanation: string | null
  yourAnswer: Answer | null
  correct: boolean
  earned: number
}

export interface AttemptView {
  attemptId: number
  examId: number
  examTitle: string
  status: 'in_progress' | 'submitted'
  startedAt: string
  deadline: string
  submittedAt?: string
  score?: number
  passed?: boolean
  maxScore: number
  reviewAvailable: boolean
  reviewOpensAt?: string
  questions?: ReviewQuestion[]
}

export const examsApi = {
  list: () => get<ExamSummary[]>('/api/exams'),
  get: (id: number) => get<ExamSummary>(`/api/exams/${id}`),
  start: (id: number, deviceId: string) => post<AttemptStart>(`/api/exams/${id}/attempts`, { deviceId }),
  save: (attemptId: number, questionId: number, answer: Answer) => put<{ savedAt: string }>(`/api/attempts/${attemptId}/answers/${questionId}`, { answer }),
  submit: (attemptId: number) => post<SubmitResult>(`/api/attempts/${attemptId}/submit`),
  attempt: (attemptId: number) => get<AttemptView>(`/api/attempts/${attemptId}`),
  event: (attemptId: number, type: 'blur' | 'hidden' | 'reload') => post(`/api/attempts/${attemptId}/events`, { type }),
}
