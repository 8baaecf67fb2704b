// What a failed request means for the person in front of the screen: what happened and what to do,
// in Chinese, never a code or a browser's English ("Failed to fetch", "HTTP 502").
import type { ApiError } from '@/api/client'
import { msg } from '@/messages'

export interface ErrorView {
  title: string
  message: string
  retry: boolean
}

export function describeError(e: unknown): ErrorView {
  const err = e as Partial<ApiError> | undefined
  const status = typeof err?.status === 'number' ? err.status : 0
  const t = msg.errors
  if (status === 0) return { title: t.offlineTitle, message: t.offline, retry: true }
  if (status === 404) return { title: t.notFoundTitle, message: t.notFound, retry: false }
  if (status === 403) return { title: t.forbiddenTitle, message: readable(err?.message) ?? t.forbidden, retry: false }
  if (status === 409) return { title: t.conflictTitle, message: readable(err?.message) ?? t.conflict, retry: false }
  if (status === 429 || status >= 500) return { title: t.busyTitle, message: t.busy, retry: true }
  if (err?.badLink) return { title: t.badLinkTitle, message: t.badLink, retry: false }
  return { title: t.failedTitle, message: readable(err?.message) ?? t.failed, retry: true }
}

/** The server's own messages are Chinese sentences; anything else (English, codes) is not shown. */
function readable(m: string | undefined): string | null {
  return m && /[\u4e00-\u9fa5]/.test(m) && !/^HTTP \d+$/.test(m) ? m : null
}
