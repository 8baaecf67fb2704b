// The keys that two libraries' composite widgets leave out, for the whole app at once.
// - vant's tabs (学习's channels, 排行's boards, an attempt's 全部/只看错题) give only the selected
//   tab tabindex 0, as the WAI-ARIA tabs pattern asks, but not the pattern's other half: ←/→ (and
//   Home/End) moving to another tab. So Tab reached the selected tab and no other, and a keyboard
//   could not switch channel. Here the arrows move to the next tab and select it (the pattern's
//   "automatic activation", what a tap does).
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

/** Call once at start-up. */
export function addMissingCompositeKeys(target: Document = document) {
  target.addEventListener('keydown', (event) => {
    const focused = event.target
    if (!(focused instanceof HTMLElement)) return
    if (focused.matches('.van-tab[role=tab]')) moveAmongVantTabs(event, focused)
    else if (focused.matches('.el-tree-node[role=treeitem]')) selectTreeNode(event, focused)
  })
}
