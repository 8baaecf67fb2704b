// The rotating sign-in code of an activity, for the host's panel and the 大屏: a fresh code (and
// its QR) every minute while shown — each stays valid a few minutes, so someone typing the last one
// still gets in — and a countdown to the next. `onTick` runs every second (screens refresh counts).
import { onBeforeUnmount, ref, toValue, type MaybeRefOrGetter } from 'vue'
import { ApiError, errorMessage } from '@/api/client'
import { campaignApi, type CheckinCode } from '@/api/campaign'

export const ROTATE_S = 60

export function useCheckinCode(activityId: MaybeRefOrGetter<number>, opts: { closedMessage: string; onTick?: (left: number) => void }) {
  const code = ref<CheckinCode | null>(null)
  const error = ref('')
  const left = ref(ROTATE_S)
  let timer: ReturnType<typeof setInterval> | undefined

  async function rotate() {
    try {
      code.value = await campaignApi.checkinCode(toValue(activityId))
      error.value = ''
    } catch (e) {
      code.value = null
      error.value = e instanceof ApiError && e.status === 409 ? opts.closedMessage : errorMessage(e)
    }
    left.value = ROTATE_S
  }

  function tick() {
    left.value -= 1
    opts.onTick?.(left.value)
    if (left.value <= 0) void rotate()
  }

  async function start() {
    await rotate()
    clearInterval(timer)
    timer = setInterval(tick, 1000)
  }
  function stop() {
    clearInterval(timer)
    timer = undefined
  }
  onBeforeUnmount(stop)
  return { code, error, left, start, stop, rotate }
}
