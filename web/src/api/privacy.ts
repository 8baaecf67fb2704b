// 我的 → 隐私: the leaderboard choice (also the first-login notice), own-data export, deletion requests.
import { download, get, post, put } from './client'
import type { DeletionRequest, PrivacyState } from '../../../server/modules/privacy/schemas'

export type { DeletionRequest, PrivacyState }

export const privacyApi = {
  state: () => get<PrivacyState>('/api/me/privacy'),
  setConsent: (showOnLeaderboards: boolean) => put<{ showOnLeaderboards: boolean }>('/api/me/privacy', { showOnLeaderboards }),
  exportData: (format: 'json' | 'xlsx') => download(`/api/me/data?format=${format}`, format === 'json' ? '我的数据.json' : '我的数据.xlsx'),
  requestDeletion: (reason?: string) => post<{ id: number; status: 'pending' }>('/api/me/deletion-request', reason ? { reason } : {}),
  /** Admins. */
  deletionRequests: () => get<DeletionRequest[]>('/api/privacy/deletion-requests'),
  decide: (id: number, approve: boolean, note?: string) =>
    post<DeletionRequest>(`/api/privacy/deletion-requests/${id}/decide`, { approve, ...(note ? { note } : {}) }),
}
