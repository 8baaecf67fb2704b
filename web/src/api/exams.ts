// Exam design and listing: members see their own exams with their status, staff the ones in scope.
import { del, get, patch, post } from './client'
import type { ExamDto, ExamInput, PaperQuestion, PaperRuleInput, PaperSpecInput, PreviewResultDto } from './contracts'

export type Exam = Omit<ExamDto, 'paper'> & { paper: PaperSpec }
export type ReleaseResults = ExamDto['releaseResults']
export type MultipleScoring = ExamDto['multipleScoring']
export type MyStatus = NonNullable<ExamDto['myStatus']>
export type PaperRule = PaperRuleInput
export type PaperSpec = PaperSpecInput
export type FixedPaper = Extract<PaperSpec, { questionIds: number[] }>
export type RulesPaper = Extract<PaperSpec, { rules: PaperRule[] }>
export const isFixedPaper = (p: PaperSpec): p is FixedPaper => 'questionIds' in p
export type { ExamInput }

/** A sample paper: the bank's stock per rule and public questions (no keys). */
export type PaperPreview = Omit<PreviewResultDto, 'questions'> & { questions: PaperQuestion[] }

export const examsApi = {
  list: () => get<Exam[]>('/api/exams'),
  get: (id: number) => get<Exam>(`/api/exams/${id}`),
  create: (body: ExamInput) => post<Exam>('/api/exams', body),
  update: (id: number, body: Partial<ExamInput>) => patch<Exam>(`/api/exams/${id}`, body),
  /** Only while nobody has started it; afterwards archive it. */
  withdraw: (id: number) => del<void>(`/api/exams/${id}`),
  archive: (id: number, archived: boolean) => post<Exam>(`/api/exams/${id}/archive`, { archived }),
  preview: (paper: PaperSpec) => post<PaperPreview>('/api/exams/preview', { paper }),
}
