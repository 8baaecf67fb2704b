// 大字模式 (适老化): a switch in 我的 that scales type and touch targets. Until a member chooses,
// it follows the phone's own text size: a browser whose default font is larger than 16 px (the
// system "large text" setting) starts in large mode. The choice is kept on this device.
import { ref, watch } from 'vue'

const KEY = 'xuece.largeText'
const stored = (): boolean | null => {
  const v = localStorage.getItem(KEY)
  return v === null ? null : v === '1'
}
/** The browser's default font size, from an unstyled probe (the root may be styled). */
function systemPrefersLarge(): boolean {
  try {
    const probe = document.createElement('div')
    probe.style.cssText = 'font-size:medium;position:absolute;visibility:hidden'
    document.body.appendChild(probe)
    const px = parseFloat(getComputedStyle(probe).fontSize)
    probe.remove()
    return px > 16.5
  } catch {
    return false
  }
}

export const largeText = ref<boolean>(false)
let started = false

/** Idempotent: call from every shell that members use (tab shell, exam page). */
export function initLargeText() {
  if (started) return
  started = true
  largeText.value = stored() ?? systemPrefersLarge()
  watch(largeText, (on) => document.documentElement.classList.toggle('xc-large', on), { immediate: true })
}

export function setLargeText(on: boolean) {
  localStorage.setItem(KEY, on ? '1' : '0')
  largeText.value = on
}
