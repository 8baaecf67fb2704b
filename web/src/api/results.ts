// One exam's outcome for staff (limited by the server to their subtree) and its leaderboard.
import { download, get } from './client'
import type { ExamStats, LeaderboardRow, Monitor, ResultRow } from './contracts'
import { toQuery } from './types'

export type { ExamStats, LeaderboardRow, Monitor, ResultRow }
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
}
