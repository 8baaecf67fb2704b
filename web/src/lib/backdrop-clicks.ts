// A button that opens a dialog or drawer, double-clicked: the first click opens it, and the second
// lands on the backdrop that has just appeared over the button, which closes it again. People who
// double-click out of habit — many of our users — saw 批量导入 or 通知 flash open and vanish.
// So the second click of a double-click (MouseEvent.detail ≥ 2) on a backdrop is not taken as
// "close"; one click on the backdrop still closes, as everyone expects.

/** Element Plus's dialog and drawer backdrops and vant's overlay: the elements whose own click closes. */
const BACKDROPS = '.el-overlay, .el-overlay-dialog, .van-overlay'

/** Call once at start-up. Listens in the capture phase, so it runs before the backdrop's own handlers. */
export function ignoreDoubleClicksOnBackdrops(target: Window = window) {
  const guard = (e: MouseEvent) => {
    // Only the backdrop itself: a double-click inside the dialog (selecting a word) is untouched.
    if (e.detail >= 2 && e.target instanceof Element && e.target.matches(BACKDROPS)) e.stopPropagation()
  }
  for (const type of ['mousedown', 'mouseup', 'click'] as const) target.addEventListener(type, guard, { capture: true })
}
