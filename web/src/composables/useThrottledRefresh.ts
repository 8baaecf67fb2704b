// A REST refetch that pushes ask for: runs on trigger at most once per `minMs` (longer when the last
// run was slow, so a busy exam cannot hammer the server); the last trigger always runs. Cancelled
// with the component.
import { getCurrentInstance, onBeforeUnmount } from 'vue'

export function useThrottledRefresh(fn: () => Promise<void>, minMs: number) {
  let last = 0
  let lastDuration = 0
  let timer: ReturnType<typeof setTimeout> | null = null
  const run = async () => {
    timer = null
    last = Date.now()
    try {
      await fn()
    } finally {
      lastDuration = Date.now() - last
    }
  }
  const cancel = () => {
    if (timer) clearTimeout(timer)
    timer = null
  }
  if (getCurrentInstance()) onBeforeUnmount(cancel)
  return {
    /** Asks for a run; coalesces with one already waiting. */
    trigger() {
      if (timer) return
      const gap = Math.max(minMs, lastDuration * 4)
      timer = setTimeout(run, Math.max(0, last + gap - Date.now()))
    },
    /** Runs at once (a waiting run is dropped). */
    now() {
      cancel()
      return run()
    },
    cancel,
  }
}
