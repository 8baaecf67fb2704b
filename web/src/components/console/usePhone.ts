// The console's narrow layouts. Below 1280 px (phones, and tablets such as an iPad at 768–1024 px)
// there is no sidebar: a top bar, the menu in a drawer, pages the whole width of the screen
// (`useCompact`, the same line as the @media (max-width: 1279px) rules in ConsoleLayout.vue and the
// pages). Below 768 px (`usePhone`, @media (max-width: 767px)) pages also go to one column.
// Touch sizes (`useTouch`, the rule of touch.css): below 1280 px, or wherever the main pointer is a
// finger (an iPad Pro in landscape is 1366 px wide and gets the desk's layout, not a mouse).
import { onBeforeUnmount, ref, type Ref } from 'vue'

export const PHONE_QUERY = '(max-width: 767px)'
export const COMPACT_QUERY = '(max-width: 1279px)'
export const TOUCH_QUERY = '(pointer: coarse), (max-width: 1279px)'

/** True while the media query matches; follows rotation and resizing. Call from a component's setup. */
function useMedia(q: string): Ref<boolean> {
  const query = window.matchMedia(q)
  const matches = ref(query.matches)
  const onChange = (e: MediaQueryListEvent) => (matches.value = e.matches)
  query.addEventListener('change', onChange)
  onBeforeUnmount(() => query.removeEventListener('change', onChange))
  return matches
}

/** True while the window is phone-narrow (< 768 px). */
export const usePhone = (): Ref<boolean> => useMedia(PHONE_QUERY)

/** True while the window is narrower than a desktop (< 1280 px): a phone or a tablet. */
export const useCompact = (): Ref<boolean> => useMedia(COMPACT_QUERY)

/** True while controls are sized for a finger (touch.css): a coarse pointer, or narrower than a desktop. */
export const useTouch = (): Ref<boolean> => useMedia(TOUCH_QUERY)
