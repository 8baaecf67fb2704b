// The console's phone layout: below 768 px (the same line as the @media (max-width: 767px) rules
// in ConsoleLayout.vue and the pages), no sidebar, the menu in a drawer, pages in one column.
import { onBeforeUnmount, ref, type Ref } from 'vue'

export const PHONE_QUERY = '(max-width: 767px)'

/** True while the window is phone-narrow; follows rotation and resizing. Call from a component's setup. */
export function usePhone(): Ref<boolean> {
  const query = window.matchMedia(PHONE_QUERY)
  const phone = ref(query.matches)
  const onChange = (e: MediaQueryListEvent) => (phone.value = e.matches)
  query.addEventListener('change', onChange)
  onBeforeUnmount(() => query.removeEventListener('change', onChange))
  return phone
}
