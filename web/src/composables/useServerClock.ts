// Countdown from the server's deadline and the server's "now": a wrong phone clock does not matter,
// because only the offset between the two clocks is used.
import { computed, onBeforeUnmount, ref } from 'vue'
import { formatCountdown } from '@/lib/time'

export function useServerClock() {
  const offsetMs = ref(0)
  const deadline = ref<number | null>(null)
  const tick = ref(Date.now())
  const timer = setInterval(() => (tick.value = Date.now()), 250)
  onBeforeUnmount(() => clearInterval(timer))

  function sync(serverNow: string, deadlineIso: string) {
    offsetMs.value = new Date(serverNow).getTime() - Date.now()
    deadline.value = new Date(deadlineIso).getTime()
  }

  const remainingMs = computed(() => (deadline.value === null ? null : Math.max(0, deadline.value - (tick.value + offsetMs.value))))
  const remainingText = computed(() => (remainingMs.value === null ? '--:--' : formatCountdown(remainingMs.value)))
  return { sync, remainingMs, remainingText }
}
