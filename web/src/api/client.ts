// The one way the web app talks to the API: JSON in and out, bearer token, one silent refresh on 401.
import { fetchRetryAfter, useAuthStore } from '@/stores/auth'
import { router } from '@/router'
import { msg } from '@/messages'
import { forPeople, isBadLink } from './people-words'
import { takeEarly } from './early'

/** The API's error shape: `{ error: { code, message, details? } }` (any other JSON body is kept as is). */
interface ErrorEnvelope {
  error?: { code?: string; message?: string; details?: unknown }
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly body?: unknown,
    /** A malformed link (typed or cut short): nothing to retry or correct on the page. */
    readonly badLink = false,
  ) {
    super(message)
  }
}

/** What to tell a person about a failed call: the API's own message, else the error's. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** The error of a failed answer: the API's own code and message when its body has them. */
function apiError(status: number, body: unknown): ApiError {
  const e = (body as ErrorEnvelope | null)?.error
  return new ApiError(
    status,
    e?.code ?? 'HTTP_' + status,
    (e?.message && forPeople(e.message, e.details)) ?? (status >= 500 ? msg.common.serverError : msg.common.requestFailed(status)),
    e?.details,
    body,
    !!e?.message && isBadLink(e.message),
  )
}

async function toApiError(res: Response): Promise<ApiError> {
  return apiError(res.status, await res.json().catch(() => null))
}

/** A stable id for this browser, so the server can tell a device switch from a reload. */
export const deviceId: string = (() => {
  const key = 'xuece.device'
  let id = localStorage.getItem(key)
  if (!id) {
    id = Math.random().toString(36).slice(2) + Date.now().toString(36)
    localStorage.setItem(key, id)
  }
  return id
})()

async function send(method: string, path: string, init: { body?: unknown; form?: FormData; retried?: boolean } = {}): Promise<Response> {
  const auth = useAuthStore()
  const headers: Record<string, string> = { 'X-Device-Id': deviceId }
  if (auth.accessToken) headers.Authorization = `Bearer ${auth.accessToken}`
  if (init.body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, { method, headers, body: init.form ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined) })
  } catch {
    throw new ApiError(0, 'NETWORK', msg.common.networkError)
  }
  if (res.status === 401 && auth.refreshToken && !init.retried && !path.startsWith('/api/auth/')) {
    if (await auth.refresh()) return send(method, path, { ...init, retried: true })
    auth.clear()
    router.push({ name: 'login', query: { redirect: router.currentRoute.value.fullPath, expired: '1' } })
  }
  if (res.status === 403) {
    const clone = res.clone()
    const body = await clone.json().catch(() => null)
    if (body?.error?.code === 'PASSWORD_CHANGE_REQUIRED') router.push({ name: 'password' })
    // An admin of a deployment that requires a second factor sets it up before anything else.
    if (body?.error?.code === 'TOTP_SETUP_REQUIRED') router.push({ name: 'security' })
  }
  return res
}

/** `waitOutBusy`: the request hashes a password; in a login storm it waits its turn (see the auth store). */
export async function api<T = unknown>(method: string, path: string, body?: unknown, options: { waitOutBusy?: boolean } = {}): Promise<T> {
  // A GET the app already made at start-up (early.ts) is answered from there when it succeeded.
  const early = method === 'GET' ? await takeEarly(path) : null
  const request = () => send(method, path, { body })
  const res = early?.ok ? early : options.waitOutBusy ? await useAuthStore().waitOutBusy(request, fetchRetryAfter) : await request()
  if (!res.ok) throw await toApiError(res)
  if (res.status === 204) return undefined as T
  return res.json() as Promise<T>
}

export const get = <T>(path: string) => api<T>('GET', path)
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {})
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, body ?? {})
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, body ?? {})
export const del = <T>(path: string) => api<T>('DELETE', path)

/**
 * Multipart upload with progress (fetch cannot report upload progress). Resolves with status and body;
 * 422 (a file with bad rows) resolves too, so the caller can show the rows. `waitOutBusy`: an import
 * that the server turns away for now (503 + Retry-After: its sheet readers busy, or a login storm
 * holding every hashing place) is sent again by itself, as a login is (see the auth store).
 */
export async function upload<T>(
  path: string,
  file: File,
  onProgress?: (percent: number) => void,
  options: { waitOutBusy?: boolean } = {},
): Promise<{ status: number; body: T }> {
  const send = () => uploadOnce(path, file, onProgress)
  const res = options.waitOutBusy ? await useAuthStore().waitOutBusy(send, (r) => (r.status === 503 ? r.retryAfter : null)) : await send()
  if (res.status >= 400 && res.status !== 422) throw apiError(res.status, res.body)
  return { status: res.status, body: res.body as T }
}

function uploadOnce(
  path: string,
  file: File,
  onProgress?: (percent: number) => void,
): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const auth = useAuthStore()
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', path)
    if (auth.accessToken) xhr.setRequestHeader('Authorization', `Bearer ${auth.accessToken}`)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(Math.round((e.loaded / e.total) * 100))
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', msg.common.networkError))
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        /* not JSON */
      }
      resolve({ status: xhr.status, retryAfter: xhr.getResponseHeader('retry-after'), body })
    }
    const form = new FormData()
    form.append('file', file)
    xhr.send(form)
  })
}

/** Downloads a file the API serves behind auth. */
export async function download(path: string, filename: string, body?: unknown) {
  const res = await send(body === undefined ? 'GET' : 'POST', path, { body })
  if (!res.ok) throw await toApiError(res)
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
