// 组织工作通报 (/api/bulletins): admins send the last complete week's or month's now and edit the
// wording; every recipient (secretaries, admins) lists and downloads her own.
import type { Static } from '@sinclair/typebox'
import { download, get, post, put } from './client'
import type { CircularItem, PeriodKindSchema, RunResult, TemplateBody, TemplateInput } from '../../../server/modules/circulars/schemas'

export type Circular = CircularItem
export type CircularPeriod = Static<typeof PeriodKindSchema>
export type CircularRun = Static<typeof RunResult>
export type CircularTemplate = TemplateBody
export type CircularTemplateInput = TemplateInput

export const bulletinsApi = {
  mine: () => get<Circular[]>('/api/bulletins'),
  run: (period: CircularPeriod, threshold?: number) =>
    post<CircularRun>('/api/bulletins/run', threshold ? { period, threshold } : { period }),
  template: () => get<CircularTemplate>('/api/bulletins/template'),
  saveTemplate: (body: CircularTemplateInput) => put<CircularTemplate>('/api/bulletins/template', body),
  download: (c: Pick<Circular, 'id' | 'title'>) => download(`/api/bulletins/${c.id}/xlsx`, `${c.title}.xlsx`),
}
