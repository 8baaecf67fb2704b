// Every answer change is saved: debounced per question, retried with back-off, queued while
// offline and kept in localStorage so a reload or a crash of the tab loses nothing unsent.
// A save goes over the tab's live socket while it is up (no HTTP request per answer: on exam day
// that is most of the server's work), else over HTTP; both answer alike and ack only once stored.
import { computed, onBeforeUnmount, reactive, ref } from 'vue'
import { ApiError, deviceId } from '@/api/client'
import { attemptsApi, type Answer } from '@/api/attempts'
import type { RealtimeSocket } from '@/stores/socket'

/** How long a save over the socket may go unanswered before it is sent over HTTP instead. */
const SOCKET_ACK_MS = 5000

export type SaveState = 'saved' | 'saving' | 'offline' | 'error'

export function useAutosave(attemptId: number, onClosed: (reason: string) => void) {
  const storageKey = `xuece.pending.${attemptId}`
  const pending = reactive(new Map<number, Answer>(JSON.parse(localStorage.getItem(storageKey) ?? '[]')))
  const inflight = ref(0)
  const failedOnce = ref(false)
  const online = ref(navigator.onLine)
  /** The last save could not reach the server (no network, a gateway error): answers wait on this device. */
  const unreachable = ref(false)
  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  /** Questions with a save on the way: one at a time each, so saves arrive in the order typed. */
  const sending = new Set<number>()
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let backoff = 1000
  /** The tab's live connection, loaded on the side (the socket client is not in the first bundle). */
  let socket: RealtimeSocket | null = null
  void import('@/stores/socket').then(({ useSocketStore }) => (socket = useSocketStore().get()))

  const persist = () => localStorage.setItem(storageKey, JSON.stringify([...pending.entries()]))

  const state = computed<SaveState>(() => {
    if ((!online.value || unreachable.value) && pending.size) return 'offline'
    if (failedOnce.value && pending.size) return 'error'
    return pending.size || inflight.value ? 'saving' : 'saved'
  })

  /** Over the socket while it is connected; over HTTP when it is not, or gives no answer in time. */
  async function send(questionId: number, answer: Answer) {
    if (socket?.connected) {
      const reply = await socket
        .timeout(SOCKET_ACK_MS)
        .emitWithAck('attempt:save', { attemptId, questionId, answer, deviceId })
        .catch(() => null)
      if (reply?.ok) return
      // Refused for a reason HTTP would give too (closed, not this paper's answer): the same handling.
      if (reply?.status && reply.status < 500) throw new ApiError(reply.status, reply.code ?? '', reply.error)
      // No answer in time, a flood refusal or a server in trouble: try HTTP (saving twice is harmless).
    }
    await attemptsApi.save(attemptId, questionId, answer)
  }

  async function flushOne(questionId: number) {
    if (!pending.has(questionId) || sending.has(questionId)) return
    const answer = pending.get(questionId)!
    sending.add(questionId)
    inflight.value++
    let failed = false
    try {
      await send(questionId, answer)
      // Only forget it if nothing newer was typed while this request was in flight.
      if (pending.get(questionId) === answer) pending.delete(questionId)
      persist()
      failedOnce.value = false
      unreachable.value = false
      backoff = 1000
    } catch (e) {
      const err = e as ApiError
      if (err.status === 409) {
        pending.clear()
        persist()
        onClosed(err.message)
      } else if (err.status === 400 || err.status === 404) {
        pending.delete(questionId) // the server will never take this one; do not retry forever
        persist()
      } else {
        failed = true
        failedOnce.value = true
        if (err.status === 0 || err.status >= 500) unreachable.value = true
        scheduleRetry()
      }
    } finally {
      sending.delete(questionId)
      inflight.value--
    }
    // Changed while this save was on the way and its debounce has already run out: send the newer one now.
    if (!failed && pending.has(questionId) && pending.get(questionId) !== answer && !timers.has(questionId)) void flushOne(questionId)
  }

  function scheduleRetry() {
    if (retryTimer) return
    retryTimer = setTimeout(() => {
      retryTimer = null
      backoff = Math.min(backoff * 2, 15_000)
      void flushAll()
    }, backoff)
  }

  async function flushAll() {
    await Promise.all([...pending.keys()].map(flushOne))
  }

  function change(questionId: number, answer: Answer, debounceMs = 500) {
    pending.set(questionId, answer)
    persist()
    clearTimeout(timers.get(questionId))
    timers.set(
      questionId,
      setTimeout(() => {
        timers.delete(questionId)
        void flushOne(questionId)
      }, debounceMs),
    )
  }

  const goOnline = () => {
    online.value = true
    void flushAll()
  }
  const goOffline = () => (online.value = false)
  window.addEventListener('online', goOnline)
  window.addEventListener('offline', goOffline)
  onBeforeUnmount(() => {
    window.removeEventListener('online', goOnline)
    window.removeEventListener('offline', goOffline)
    timers.forEach(clearTimeout)
    if (retryTimer) clearTimeout(retryTimer)
  })

  /** Answers typed but not yet acknowledged (restored after a reload). */
  const unsent = () => new Map(pending)

  return { state, change, flushAll, unsent, pendingCount: computed(() => pending.size) }
}
