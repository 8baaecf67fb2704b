// Who is logged in, with which tokens. Tokens persist in localStorage so a reload keeps the session.
import { msg } from '@/messages'
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { User } from '@/api/types'

const KEY = 'xuece.auth'
/** How many times a request turned away by a storm (503 + Retry-After) is sent again before giving up. */
const BUSY_RETRIES = 5

/** The Retry-After of a fetch answer the server turned away for now (503), else null. */
export const fetchRetryAfter = (res: Response): string | null => (res.status === 503 ? res.headers.get('retry-after') : null)

interface Saved {
  accessToken: string
  refreshToken: string
  user: User
}

function load(): Saved | null {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? 'null')
  } catch {
    return null
  }
}

export const useAuthStore = defineStore('auth', () => {
  const saved = load()
  const accessToken = ref<string | null>(saved?.accessToken ?? null)
  const refreshToken = ref<string | null>(saved?.refreshToken ?? null)
  const user = ref<User | null>(saved?.user ?? null)
  /** While a login waits its turn in a storm: when it is sent again (ms since epoch), and which retry that is. */
  const queuedUntil = ref<number | null>(null)
  const queueTries = ref(0)

  const isStaff = computed(() => user.value?.role === 'admin' || user.value?.role === 'secretary')
  const isAdmin = computed(() => user.value?.role === 'admin')

  function persist() {
    if (accessToken.value && refreshToken.value && user.value) {
      localStorage.setItem(KEY, JSON.stringify({ accessToken: accessToken.value, refreshToken: refreshToken.value, user: user.value }))
    } else localStorage.removeItem(KEY)
  }

  /**
   * Sends a request the server may turn away for a while, waiting that out: when its hashing queue is
   * full (everyone arriving for the exam at 9:00) or its sheet readers are busy it answers 503 +
   * Retry-After, and nothing was done. Waiting that long plus a random share of it spreads the
   * retries instead of returning in a wave. The wait is published (queuedUntil) so the page can say
   * so instead of spinning for 20 s. `retryAfterOf` reads the server's Retry-After from a refused
   * answer (null when the answer was not a refusal); fetch answers are read by `fetchRetryAfter`.
   */
  async function waitOutBusy<R>(send: () => Promise<R>, retryAfterOf: (res: R) => string | null): Promise<R> {
    let res = await send()
    try {
      for (let tries = 0, after = retryAfterOf(res); after && tries < BUSY_RETRIES; tries++, after = retryAfterOf(res)) {
        const seconds = Math.min(10, Number(after) || 2)
        const waitMs = seconds * 1000 * (1 + Math.random())
        queuedUntil.value = Date.now() + waitMs
        queueTries.value = tries + 1
        await new Promise((resolve) => setTimeout(resolve, waitMs))
        res = await send()
      }
    } finally {
      queuedUntil.value = null
      queueTries.value = 0
    }
    return res
  }

  /** `totpCode` when the account has a second factor (the server answers TOTP_REQUIRED without it). */
  async function login(username: string, password: string, totpCode?: string) {
    // A dead network or a gateway error reads as what happened and what to do, not "Failed to fetch".
    const send = () =>
      fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username, password, ...(totpCode ? { totpCode } : {}) }),
      }).catch(() => {
        throw new Error(msg.common.networkError)
      })
    const res = await waitOutBusy(send, fetchRetryAfter)
    const body = await res.json().catch(() => null)
    if (!res.ok)
      throw Object.assign(
        new Error(body?.error?.message ?? (res.status >= 500 ? msg.common.serverError : msg.common.requestFailed(res.status))),
        { code: body?.error?.code as string | undefined },
      )
    accessToken.value = body.accessToken
    refreshToken.value = body.refreshToken
    user.value = body.user
    persist()
    return body.user as User
  }

  // Several requests may hit a 401 at once; they share one refresh.
  let inflight: Promise<boolean> | null = null
  function refresh(): Promise<boolean> {
    inflight ??= (async () => {
      try {
        const res = await fetch('/api/auth/refresh', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ refreshToken: refreshToken.value }),
        })
        if (!res.ok) return false
        const body = await res.json()
        accessToken.value = body.accessToken
        refreshToken.value = body.refreshToken
        persist()
        return true
      } catch {
        return false
      } finally {
        setTimeout(() => (inflight = null))
      }
    })()
    return inflight
  }

  function setUser(next: User) {
    user.value = next
    persist()
  }

  function clear() {
    // A signed-out tab must not keep a live socket under the old session (nor its pushes).
    // Imported on demand: socket.io-client stays out of the first download (the member home has no socket).
    void import('@/api/realtime').then((m) => m.closeSocket())
    void import('@/stores/notifications').then((m) => m.useNotificationsStore().forget())
    accessToken.value = null
    refreshToken.value = null
    user.value = null
    persist()
  }

  async function logout() {
    if (accessToken.value) {
      await fetch('/api/auth/logout', { method: 'POST', headers: { Authorization: `Bearer ${accessToken.value}` } }).catch(() => {})
    }
    clear()
  }

  return { accessToken, refreshToken, user, queuedUntil, queueTries, isStaff, isAdmin, login, waitOutBusy, refresh, setUser, clear, logout }
})
