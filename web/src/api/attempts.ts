// Taking an exam: start or resume, autosave, submit, review; and the exceptions staff grant.
import { get, post, put } from './client'
import type { AttemptViewBody, PaperQuestion, StartedAttempt, SubmitResult } from './contracts'

export type { PaperQuestion }
export type Answer = string | string[] | boolean

// The server's shapes (attempts/schemas.ts), with the answer values the wire leaves open named.
export type AttemptStart = Omit<StartedAttempt, 'questions' | 'answers'> & { questions: PaperQuestion[]; answers: Record<string, Answer> }
export type { SubmitResult }
export type ReviewQuestion = PaperQuestion &
  Omit<NonNullable<AttemptViewBody['questions']>[number], keyof PaperQuestion | 'correctAnswer' | 'yourAnswer'> & {
    correctAnswer: Answer | string[][]
    yourAnswer: Answer | null
  }
export type AttemptView = Omit<AttemptViewBody, 'status' | 'questions'> & {
  status: 'in_progress' | 'submitted'
  questions?: ReviewQuestion[]
}

export type IntegrityEvent = 'blur' | 'hidden' | 'reload'

export const attemptsApi = {
  start: (examId: number, deviceId: string) => post<AttemptStart>(`/api/exams/${examId}/attempts`, { deviceId }),
  save: (attemptId: number, questionId: number, answer: Answer) =>
    put<{ savedAt: string }>(`/api/attempts/${attemptId}/answers/${questionId}`, { answer }),
  submit: (attemptId: number) => post<SubmitResult>(`/api/attempts/${attemptId}/submit`),
  get: (attemptId: number) => get<AttemptView>(`/api/attempts/${attemptId}`),
  event: (attemptId: number, type: IntegrityEvent) => post(`/api/attempts/${attemptId}/events`, { type }),

  // Staff, on the day (each with a reason for the audit log):
  reopen: (attemptId: number, reason: string, minutes: number) => post(`/api/attempts/${attemptId}/reopen`, { reason, minutes }),
  allow: (examId: number, body: { userId: number; reason: string; extraMinutes?: number; extraAttempts?: number }) =>
    post(`/api/exams/${examId}/allowances`, body),
}
