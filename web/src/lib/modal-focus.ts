// vant's popups over an overlay (the privacy notice, the exam's answer card, every confirmation) as
// WAI-ARIA's modal dialog for the keyboard, for the whole app at once. vant stops a finger from
// reaching the page behind, and focuses a popup with tabindex 0 when it opens, but leaves the rest:
// - Tab went on through the page behind, where Enter could open another page under a notice that
//   must be answered first. While one is open, Tab and Shift+Tab go round inside the topmost.
// - Escape does what a tap on its overlay does: closes it, or nothing where the overlay does nothing
//   (the privacy notice). A confirmation's Escape is 取消 wherever its focus is (vant answers it only
//   on the dialog's frame).
// - Closing left the focus on a button that was no longer shown, so the next Tab started from the
//   page's top, or, while the popup faded out, went round its buttons again. As soon as one starts
//   to close, the focus goes back to what had it before the popup opened (the pattern's "returns
//   focus to the element that invoked the dialog"), or, when that is gone too, off the popup, and
//   the fading popup is inert: no Tab reaches it.

const shown = (el: Element) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden'
/** Vue's <Transition> marks a popup fading out with a `…-leave-active` class until it is hidden. */
const leaving = (el: Element) => [...el.classList].some((name) => name.endsWith('-leave-active'))
const isOpen = (el: Element) => shown(el) && !leaving(el)
const TAB_STOPS =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/**
 * The topmost vant popup open over an overlay (vant draws the overlay just before its popup), if any;
 * not one already fading out.
 */
function openModal(doc: Document): { popup: HTMLElement; overlay: HTMLElement } | null {
  const modals = [...doc.querySelectorAll<HTMLElement>('.van-popup')].filter(isOpen).flatMap((popup) => {
    const overlay = popup.previousElementSibling
    return overlay instanceof HTMLElement && overlay.matches('.van-overlay') && isOpen(overlay) ? [{ popup, overlay }] : []
  })
  return modals.sort((a, b) => Number(getComputedStyle(a.popup).zIndex) - Number(getComputedStyle(b.popup).zIndex)).at(-1) ?? null
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
  if (popup.matches('.van-dialog')) {
    if (event.target !== popup) popup.querySelector<HTMLElement>('.van-dialog__cancel')?.click()
    return
  }
  overlay.click()
}

/** Each popup's opener: what had the focus just before the focus went into it (one opening at a time). */
const openers = new WeakMap<Element, HTMLElement>()

function rememberOpener(event: FocusEvent) {
  const popup = event.target instanceof Element ? event.target.closest('.van-popup') : null
  const from = event.relatedTarget
  if (popup && from instanceof HTMLElement && !popup.contains(from)) openers.set(popup, from)
}

/** The popups this file made inert while they fade out, so that only those are woken again. */
const madeInert = new WeakSet<HTMLElement>()

/**
 * As soon as a popup starts to close: the focus goes back to its opener (or off it), and the popup
 * turns inert until it is hidden, since the browser's own Tab order would otherwise still reach its
 * buttons for the ~300 ms of the fade (a quick Tab after 确认 landed on the dying confirmation).
 * Inert, it is also passed over by a tap, which lands on its overlay, fading below it, as before.
 * vant keeps a popup's element to open it again, so one that opens again is woken.
 */
function onPopupClassChange(changes: MutationRecord[], doc: Document) {
  for (const { target } of changes) {
    if (!(target instanceof HTMLElement) || !target.matches('.van-popup')) continue
    if (!leaving(target)) {
      if (madeInert.delete(target)) target.inert = false
      continue
    }
    if (target.inert) continue
    const focused = doc.activeElement
    if (focused instanceof HTMLElement && target.contains(focused)) {
      const opener = openers.get(target)
      if (opener?.isConnected && shown(opener)) opener.focus()
      else focused.blur()
    }
    target.inert = true
    madeInert.add(target)
  }
}

/** Call once at start-up. */
export function keepFocusInVantModals(doc: Document = document) {
  doc.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab' && event.key !== 'Escape') return
    const modal = openModal(doc)
    if (!modal) return
    if (event.key === 'Tab') keepTabInside(event, modal.popup)
    else if (!event.defaultPrevented) closeByEscape(event, modal)
  })
  doc.addEventListener('focusin', rememberOpener)
  new MutationObserver((changes) => onPopupClassChange(changes, doc)).observe(doc.body, {
    subtree: true,
    attributeFilter: ['class'],
  })
}
