// A countdown on this device's clock. A battle question counts down from the server's `now` and
// `endsAt`: only their difference is used, so a phone whose clock is wrong still counts down right.
// A queued request counts down to the moment this device will send it again (`startUntil`).
// The clock ticks only while counting, so an idle page holds no timer.
import { computed, onBeforeUnmount, ref } from 'vue'

const TICK_MS = 200

export function useCountdown() {
  const deadline = ref<number | null>(null)
  const total = ref(1)
  const tick = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | null = null

  /** Counts down to `until`, a time on this device's clock (ms since epoch). */
  function startUntil(until: number) {
    tick.value = Date.now()
    deadline.value = until
    total.value = Math.max(1, until - tick.value)
    timer ??= setInterval(() => (tick.value = Date.now()), TICK_MS)
  }
  /** Counts down to `endsAt` as seen from the server's `now`. */
  function start(now: string, endsAt: string) {
    startUntil(Date.now() + Math.max(0, new Date(endsAt).getTime() - new Date(now).getTime()))
  }
  function stop() {
    deadline.value = null
    if (timer) clearInterval(timer)
    timer = null
  }
  onBeforeUnmount(stop)

  const leftMs = computed(() => (deadline.value === null ? 0 : Math.max(0, deadline.value - tick.value)))
  const seconds = computed(() => Math.ceil(leftMs.value / 1000))
  const fraction = computed(() => leftMs.value / total.value)
  return { start, startUntil, stop, seconds, fraction }
}
