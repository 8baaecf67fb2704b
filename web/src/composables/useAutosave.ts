// Every answer change is saved: debounced per question, retried with back-off, queued while
// offline and kept in localStorage so a reload or a crash of the tab loses nothing unsent.
import { computed, onBeforeUnmount, reactive, ref } from 'vue'
import { ApiError } from '@/api/client'
import { attemptsApi, type Answer } from '@/api/attempts'

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
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let backoff = 1000

  const persist = () => localStorage.setItem(storageKey, JSON.stringify([...pending.entries()]))

  const state = computed<SaveState>(() => {
    if ((!online.value || unreachable.value) && pending.size) return 'offline'
    if (failedOnce.value && pending.size) return 'error'
    return pending.size || inflight.value ? 'saving' : 'saved'
  })

  async function flushOne(questionId: number) {
    if (!pending.has(questionId)) return
    const answer = pending.get(questionId)!
    inflight.value++
    try {
      await attemptsApi.save(attemptId, questionId, answer)
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
        failedOnce.value = true
        if (err.status === 0 || err.status >= 500) unreachable.value = true
        scheduleRetry()
      }
    } finally {
      inflight.value--
    }
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
      setTimeout(() => void flushOne(questionId), debounceMs),
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
