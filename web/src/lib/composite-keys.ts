// The keys that two libraries' widgets leave out, for the whole app at once.
// - vant's tabs (学习's channels, 排行's boards, an attempt's 全部/只看错题) give only the selected
//   tab tabindex 0, as the WAI-ARIA tabs pattern asks, but not the pattern's other half: ←/→ (and
//   Home/End) moving to another tab. So Tab reached the selected tab and no other, and a keyboard
//   could not switch channel. Here the arrows move to the next tab and select it (the pattern's
//   "automatic activation", what a tap does).
// - vant's parts that act as controls without being one (the tab bar's items, a clickable cell such
//   as an exam in 考试's list, a switch like 大字模式, tick boxes and radios, a collapse's header)
//   are <div role="tab|button|switch|checkbox|radio" tabindex="0">: Tab reaches them, but vant listens
//   for clicks only, so Enter and Space did nothing. Here they press them, as a native button does
//   (unless the part's own handler already took the key).
// - element-plus's tree (用户's organisation tree) moves with ↑/↓ and selects with ←/→, but Enter —
//   what anyone presses first — did nothing unless the tree had tick boxes. Here Enter and Space select
//   the focused node as a click does.
// - vant's popups over an overlay (the privacy notice, the exam's answer card, every confirmation)
//   stop a finger from reaching the page behind, but not the Tab key: Tab went on through that page,
//   where Enter could open another page under a notice that must be answered first. While one is
//   open, Tab and Shift+Tab go round inside the topmost (WAI-ARIA's modal dialog), and Escape does
//   what a tap on its overlay does: closes it, or nothing where the overlay does nothing (the privacy
//   notice). vant's confirmations answer Escape themselves (取消).

const NEXT: Record<string, (index: number, count: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_, n) => n - 1,
}

function moveAmongVantTabs(event: KeyboardEvent, tab: HTMLElement) {
  const step = NEXT[event.key]
  const list = tab.closest('[role=tablist]')
  if (!step || !list) return
  const tabs = [...list.querySelectorAll<HTMLElement>('[role=tab]:not([aria-disabled=true])')]
  const next = tabs[step(tabs.indexOf(tab), tabs.length)]
  if (!next || next === tab) return
  event.preventDefault()
  next.click()
  next.focus()
}

function selectTreeNode(event: KeyboardEvent, node: HTMLElement) {
  if (event.key !== 'Enter' && event.key !== ' ') return
  if (node.querySelector('input[type=checkbox]')) return // element-plus ticks the box itself
  event.preventDefault()
  node.click()
}

/**
 * A vant part acting as a control: a role, in the Tab order, and not a native control that answers
 * keys itself. Not a popup: vant gives every popup role="dialog" and tabindex 0 (to take the focus).
 */
const VANT_CONTROL = '[class*="van-"][role][tabindex="0"]:not(a, button, input, select, textarea, [role=dialog])'
const PRESSED_BY = new Set(['Enter', ' '])

function pressVantControl(event: KeyboardEvent, control: HTMLElement) {
  if (!PRESSED_BY.has(event.key) || event.defaultPrevented || event.target !== control) return
  event.preventDefault() // Space would scroll the page
  control.click()
}

const shown = (el: Element) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
const TAB_STOPS =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/** The topmost vant popup shown over an overlay (vant draws the overlay just before its popup), if any. */
function openModal(doc: Document): { popup: HTMLElement; overlay: HTMLElement } | null {
  const open = [...doc.querySelectorAll<HTMLElement>('.van-popup')].filter(shown).flatMap((popup) => {
    const overlay = popup.previousElementSibling
    return overlay instanceof HTMLElement && overlay.matches('.van-overlay') && shown(overlay) ? [{ popup, overlay }] : []
  })
  return open.sort((a, b) => Number(getComputedStyle(a.popup).zIndex) - Number(getComputedStyle(b.popup).zIndex)).at(-1) ?? null
}

function keepTabInside(event: KeyboardEvent, popup: HTMLElement) {
  const stops = [...popup.querySelectorAll<HTMLElement>(TAB_STOPS)].filter(shown)
  const first = stops[0] ?? popup
  const last = stops.at(-1) ?? popup
  const now = popup.ownerDocument.activeElement
  let to: HTMLElement | null = null
  if (!now || !popup.contains(now))
    to = event.shiftKey ? last : first // from the page behind: into the popup
  else if (event.shiftKey && (now === first || now === popup))
    to = last // round from the first stop to the last
  else if (!event.shiftKey && now === last) to = first // and from the last to the first
  if (!to) return // a step between two stops inside: the browser's own
  event.preventDefault()
  to.focus()
}

function closeByEscape(event: KeyboardEvent, { popup, overlay }: { popup: HTMLElement; overlay: HTMLElement }) {
  // A confirmation answers Escape itself only while the focus is on its frame; on its buttons, 取消 here.
  if (popup.matches('.van-dialog')) {
    if (event.target !== popup) popup.querySelector<HTMLElement>('.van-dialog__cancel')?.click()
    return
  }
  overlay.click()
}

/** Call once at start-up. */
export function addMissingCompositeKeys(target: Document = document) {
  target.addEventListener('keydown', (event) => {
    if (event.key === 'Tab' || event.key === 'Escape') {
      const modal = openModal(target)
      if (modal && event.key === 'Tab') return keepTabInside(event, modal.popup)
      if (modal && event.key === 'Escape' && !event.defaultPrevented) return closeByEscape(event, modal)
    }
    const focused = event.target
    if (!(focused instanceof HTMLElement)) return
    if (focused.matches('.van-tab[role=tab]')) moveAmongVantTabs(event, focused)
    else if (focused.matches('.el-tree-node[role=treeitem]')) selectTreeNode(event, focused)
    else if (focused.matches(VANT_CONTROL)) pressVantControl(event, focused)
  })
}
