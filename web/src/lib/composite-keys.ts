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

/** Call once at start-up. */
export function addMissingCompositeKeys(target: Document = document) {
  target.addEventListener('keydown', (event) => {
    const focused = event.target
    if (!(focused instanceof HTMLElement)) return
    if (focused.matches('.van-tab[role=tab]')) moveAmongVantTabs(event, focused)
    else if (focused.matches('.el-tree-node[role=treeitem]')) selectTreeNode(event, focused)
    else if (focused.matches(VANT_CONTROL)) pressVantControl(event, focused)
  })
}
