// Work that can wait until the page has been drawn and the phone is idle (at most `timeoutMs`).
export function whenIdle(fn: () => void, timeoutMs = 2_000) {
  if ('requestIdleCallback' in window) window.requestIdleCallback(() => fn(), { timeout: timeoutMs })
  else setTimeout(fn, 1)
}
