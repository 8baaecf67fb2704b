// A question's countdown from the server's `now` and `endsAt`: only their difference is used, so a
// phone whose clock is wrong still counts down right.
import { computed, onBeforeUnmount, ref } from 'vue'

export function useCountdown() {
  const deadline = ref<number | null>(null)
  const total = ref(1)
  const tick = ref(Date.now())
  const timer = setInterval(() => (tick.value = Date.now()), 200)
  onBeforeUnmount(() => clearInterval(timer))

  /** Starts counting down to `endsAt` as seen from the server's `now`. */
  function start(now: string, endsAt: string) {
    const left = Math.max(0, new Date(endsAt).getTime() - new Date(now).getTime())
    deadline.value = Date.now() + left
    total.value = Math.max(1, left)
  }
  function stop() {
    deadline.value = null
  }

  const leftMs = computed(() => (deadline.value === null ? 0 : Math.max(0, deadline.value - tick.value)))
  const seconds = computed(() => Math.ceil(leftMs.value / 1000))
  const fraction = computed(() => leftMs.value / total.value)
  return { start, stop, seconds, fraction }
}
