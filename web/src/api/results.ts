// One exam's outcome for staff (limited by the server to their subtree) and its leaderboard.
import { download, get, post } from './client'
import type { ExamStats, LeaderboardRow, Monitor, ResultRow } from './contracts'
import { toQuery } from './types'
import type { AnalysisBody, ItemStatsBody, ReviewResult } from '../../../server/modules/results/schemas'
import type { Static } from '@sinclair/typebox'

export type { ExamStats, LeaderboardRow, Monitor, ResultRow }
/** One question's item analysis (facility, discrimination, options chosen, flags). */
export type ItemStats = ItemStatsBody
export type ItemFlag = ItemStats['flags'][number]
export type PersonStatus = ResultRow['status']
export interface ResultsFilter {
  orgId?: number
  status?: PersonStatus | ''
}

export const resultsApi = {
  results: (examId: number, filter: ResultsFilter = {}) => get<ResultRow[]>(`/api/exams/${examId}/results${toQuery(filter)}`),
  exportResults: (examId: number, filter: ResultsFilter, filename: string) =>
    download(`/api/exams/${examId}/results${toQuery({ format: 'xlsx', ...filter })}`, filename),
  stats: (examId: number) => get<ExamStats>(`/api/exams/${examId}/stats`),
  monitor: (examId: number) => get<Monitor>(`/api/exams/${examId}/monitor`),
  leaderboard: (examId: number) => get<LeaderboardRow[]>(`/api/exams/${examId}/leaderboard`),
  analysis: (examId: number) => get<AnalysisBody>(`/api/exams/${examId}/analysis`),
  /** Admins: back to the bank's review (draft) with this exam's figures attached. */
  sendToReview: (examId: number, questionId: number) =>
    post<Static<typeof ReviewResult>>(`/api/exams/${examId}/analysis/${questionId}/review`),
}
