// 审计日志 (admins and auditors): search and export; there is nothing to edit.
import { download, get } from './client'
import type { Static } from '@sinclair/typebox'
import type { AuditEntry, AuditQuery } from '../../../server/modules/audit/schemas'
import { toQuery, type Page } from './types'

export type { AuditEntry }
export type AuditFilter = Static<typeof AuditQuery>

export const auditApi = {
  search: (f: AuditFilter) => get<Page<AuditEntry>>(`/api/audit${toQuery(f)}`),
  actions: () => get<{ action: string; label: string }[]>('/api/audit/actions'),
  exportXlsx: (f: AuditFilter) => download(`/api/audit/export${toQuery({ ...f, page: undefined, pageSize: undefined })}`, '审计日志.xlsx'),
}
