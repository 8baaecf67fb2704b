// The banner that says what just arrived. Loaded when the first notification comes in (vant's
// notify brings the popup machinery, which the member home does not otherwise need at start).
import { showNotify } from 'vant'

export function announce(title: string) {
  showNotify({ type: 'primary', message: title, duration: 4000, background: '#c8161d' })
}
