// Every answer change is saved: debounced per question, retried with back-off, queued while
// offline and kept in localStorage so a reload or a crash of the tab loses nothing unsent.
// A save goes over the tab's live socket while it is up (no HTTP request per answer: on exam day
// that halved the saves' latency), else over HTTP; both ack only once the answer is stored.
import { computed, onBeforeUnmount, reactive, ref } from 'vue'
import { ApiError, deviceId } from '@/api/client'
import { attemptsApi, type Answer } from '@/api/attempts'
import type { RealtimeSocket } from '@/stores/socket'

/**
 * A save over the socket waits for its ack or for the socket to drop (socket.io's heartbeat notices
 * a dead connection within ~45 s); only then is the same answer sent over HTTP. Resending sooner
 * could let the late socket copy land after a newer answer.
 */
const SOCKET_ACK_MS = 60_000
/** Saves on the way at once when many wait (back from a dead zone): the socket's autosave bucket takes bursts, not floods. */
const FLUSH_CONCURRENCY = 8

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
  /** The save on the way for each question: one at a time, so answers land in the order typed. */
  const sending = new Map<number, Promise<void>>()
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let backoff = 1000
  /** The tab's live connection, loaded on the side (the socket client is not in the first bundle). */
  let socket: RealtimeSocket | null = null
  import('@/stores/socket').then(({ useSocketStore }) => (socket = useSocketStore().get())).catch(() => {}) // the chunk could not load (offline, a redeploy): saves go over HTTP

  const persist = () => localStorage.setItem(storageKey, JSON.stringify([...pending.entries()]))

  const state = computed<SaveState>(() => {
    if ((!online.value || unreachable.value) && pending.size) return 'offline'
    if (failedOnce.value && pending.size) return 'error'
    return pending.size || inflight.value ? 'saving' : 'saved'
  })

  /** Over the socket while it is connected; over HTTP when it is not, dropped meanwhile, or cannot say. */
  async function send(questionId: number, answer: Answer) {
    if (socket?.connected) {
      const reply = await socket
        .timeout(SOCKET_ACK_MS)
        .emitWithAck('attempt:save', { attemptId, questionId, answer, deviceId })
        .catch(() => null)
      if (reply?.ok) return
      // Refused for a reason HTTP would give too (closed, not this paper's answer): the same handling.
      if (reply?.status && reply.status < 500) throw new ApiError(reply.status, reply.code ?? '', reply.error)
      // Dropped before its ack, a flood refusal or a server in trouble: the same answer over HTTP.
    }
    await attemptsApi.save(attemptId, questionId, answer)
  }

  /** Sends one answer and deals with the outcome; never rejects. */
  async function saveOne(questionId: number, answer: Answer) {
    inflight.value++
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
        // The server will never take this one; do not retry it forever (a newer answer still goes).
        if (pending.get(questionId) === answer) pending.delete(questionId)
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

  /**
   * Sends the question's waiting answer. While a save of it is on the way, waits for that one and
   * then sends whatever is newer: resolves once nothing sent earlier is still on the way, so a
   * submit after `flushAll` cannot overtake an answer.
   */
  function flushOne(questionId: number): Promise<void> {
    const onTheWay = sending.get(questionId)
    if (onTheWay) return onTheWay.then(() => flushOne(questionId))
    if (!pending.has(questionId)) return Promise.resolve()
    const done = saveOne(questionId, pending.get(questionId)!).finally(() => sending.delete(questionId))
    sending.set(questionId, done)
    return done
  }

  function scheduleRetry() {
    if (retryTimer) return
    retryTimer = setTimeout(() => {
      retryTimer = null
      backoff = Math.min(backoff * 2, 15_000)
      void flushAll()
    }, backoff)
  }

  /** Every waiting answer and every save on the way, at most FLUSH_CONCURRENCY at a time. */
  async function flushAll() {
    const queue = [...new Set([...pending.keys(), ...sending.keys()])]
    const worker = async () => {
      for (let q = queue.shift(); q !== undefined; q = queue.shift()) await flushOne(q)
    }
    await Promise.all(Array.from({ length: FLUSH_CONCURRENCY }, worker))
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
