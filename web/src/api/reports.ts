// 参与情况统计: per-unit tallies for a date range, as JSON or a spreadsheet.
import { download, get } from './client'
import type { ParticipationReport, ReportFilter } from './contracts'
import { toQuery } from './types'

export const reportsApi = {
  participation: (filter: Omit<ReportFilter, 'format'>) => get<ParticipationReport>(`/api/reports/participation${toQuery(filter)}`),
  exportParticipation: (filter: Omit<ReportFilter, 'format'>, filename: string) =>
    download(`/api/reports/participation${toQuery({ ...filter, format: 'xlsx' })}`, filename),
}
