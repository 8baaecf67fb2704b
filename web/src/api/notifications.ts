// The notification centre: my own notifications, the unread count, marking read.
import { get, post } from './client'
import type { Notification } from './contracts'

export type { Notification }

export const notificationsApi = {
  list: (opts: { unread?: boolean; limit?: number } = {}) =>
    get<Notification[]>(`/api/notifications?limit=${opts.limit ?? 50}${opts.unread ? '&unread=true' : ''}`),
  unreadCount: () => get<{ unread: number }>('/api/notifications/unread-count'),
  read: (id: number) => post<void>(`/api/notifications/${id}/read`),
  readAll: () => post<{ updated: number }>('/api/notifications/read-all'),
}
