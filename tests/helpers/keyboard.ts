// What a keyboard cannot reach: tests/e2e/keyboard.test.ts's measure, and the Tab walk it uses.
import type { Locator, Page } from 'playwright-core'

/**
 * Everything on the page that shows a pointer (so a mouse or a finger can press it) but that Tab can
 * never reach: not focusable itself, not inside something focusable and holding nothing focusable.
 * Each as "tag.classes “its text”". Only the outermost of a pointer-showing box counts. `within`:
 * the page's body, or an open dialog.
 *
 * Left out, because the keyboard reaches what they do another way:
 * - element-plus's number box −/+ (its input takes the focus, and ↑/↓ step it), a switch's track and
 *   words (its hidden checkbox takes the focus; Space flips it), a select's arrow (its input takes the
 *   focus; ↓ or Enter opens it);
 * - a mouse's shortcut that names the control doing the same in its table row (`data-same-as`, that
 *   control's data-test), when that control is there and focusable: 题库's question text for 编辑;
 * - the tabs of a tab list and the nodes of a tree that has one member in the Tab order: the arrow
 *   keys move among them (keyboard.test.ts presses them: vant's tabs and element-plus's tree get
 *   the keys they lack in web/src/lib/composite-keys.ts).
 */
export function unreachableClickables(within: Locator): Promise<string[]> {
  return within.evaluate((root) => {
    const FOCUSABLE =
      'a[href], button:not([disabled]), input:not([disabled]), select, textarea, summary, [tabindex]:not([tabindex="-1"]), [contenteditable="true"], label'
    const KEYBOARD_ELSEWHERE =
      '.el-input-number__decrease, .el-input-number__increase, .el-switch__core, .el-switch__label, .el-select__caret'
    const pointer = (el: Element | null) => !!el && getComputedStyle(el).cursor === 'pointer'
    const inRovingWidget = (el: Element) => !!el.closest('[role=tablist], [role=tree]')?.querySelector('[tabindex="0"]')
    const sameAsFocusable = (el: Element) => {
      const test = el.getAttribute('data-same-as')
      return !!test && !!el.closest('tr')?.querySelector(`[data-test="${test}"]`)?.matches(FOCUSABLE)
    }
    const found: string[] = []
    for (const el of root.querySelectorAll('*')) {
      if (!pointer(el) || pointer(el.parentElement)) continue
      if (
        el.closest(FOCUSABLE) ||
        el.querySelector(FOCUSABLE) ||
        el.matches(KEYBOARD_ELSEWHERE) ||
        inRovingWidget(el) ||
        sameAsFocusable(el)
      )
        continue
      const box = el.getBoundingClientRect()
      if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 24)
      found.push(`${el.tagName.toLowerCase()}${[...el.classList].map((c) => `.${c}`).join('')} “${text}”`)
    }
    return found
  })
}

/**
 * Presses Tab until the focus is on an element matching `selector` (at most `limit` presses; none if
 * it is there already) and returns whether it got there: the way a keyboard user moves to a control.
 */
export async function tabTo(page: Page, selector: string, limit = 60): Promise<boolean> {
  const there = () => page.evaluate((s) => !!document.activeElement?.matches(s), selector)
  for (let i = 0; i < limit; i++) {
    if (await there()) return true
    await page.keyboard.press('Tab')
  }
  return there()
}

/**
 * Presses Tab from the top of the page, round it once (at most `stops` presses), and lists what took
 * the focus with no ring to show it (WCAG 2.4.7: an outline of none, 0 px or transparent) or with a
 * ring too faint to see (WCAG 1.4.11: under 3:1 against the colour it is drawn on — the background
 * round the element for a ring outside it, the element's own for one drawn inward). Text boxes and
 * tree nodes are left out: they show their focus another way (web/src/styles.css says why).
 */
export async function focusNotSeen(page: Page, stops = 40): Promise<string[]> {
  const seen = new Set<string>()
  const found: string[] = []
  for (let i = 0; i < stops; i++) {
    await page.keyboard.press('Tab')
    const focused = await ringOn(page)
    if (!focused) continue
    if (seen.has(focused.key)) break
    seen.add(focused.key)
    if (focused.exempt) continue
    if (!focused.ring) found.push(focused.name)
    else if (focused.contrast < 3) found.push(`${focused.name}: ring ${focused.contrast.toFixed(2)}:1`)
  }
  return found
}

export interface Ring {
  /** The start of the element's HTML, to know it again. */
  key: string
  /** Shows its focus another way (a text box, a tree node: see focusNotSeen). */
  exempt: boolean
  ring: boolean
  /** The ring's contrast ratio against what it is drawn on (0 without a ring). */
  contrast: number
  name: string
}

/**
 * The focus ring on `selector`'s first match, or on the focused element: whether it has one (an
 * outline that is not none, 0 px or transparent) and its contrast ratio (WCAG's relative luminance)
 * against the colour it is drawn on — the background round the element for a ring outside it, the
 * element's own for one drawn inward; over a gradient, against the worst of its colours. Null when
 * there is no such element.
 */
export function ringOn(page: Page, selector?: string): Promise<Ring | null> {
  return page.evaluate((selector) => {
    const el = selector ? document.querySelector(selector) : document.activeElement
    if (!el || el === document.body) return null
    const style = getComputedStyle(el)
    const ring =
      style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && !/rgba\(.*, 0\)|transparent/.test(style.outlineColor)
    const text = (el.textContent || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 24)
    return {
      key: el.outerHTML.slice(0, 300),
      exempt: el.matches("input, textarea, [role='treeitem']"),
      ring,
      contrast: ring ? ringContrast(el, style) : 0,
      name: `${el.tagName.toLowerCase()}${[...el.classList].map((c) => `.${c}`).join('')} “${text}”`,
    }

    /** Against the worst of what the ring may be drawn on (see `behind`). */
    function ringContrast(el: Element, style: CSSStyleDeclaration): number {
      const ring = rgba(style.outlineColor)
      const inward = parseFloat(style.outlineOffset) < 0
      return Math.min(
        ...behind(inward ? el : el.parentElement).map((under) => {
          const [l1, l2] = [luminance(over(ring, under)), luminance(under)].sort((x, y) => y - x)
          return (l1 + 0.05) / (l2 + 0.05)
        }),
      )
    }
    function rgba(css: string): number[] {
      const [r, g, b, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number)
      return [r, g, b, a]
    }
    /**
     * The colours an element's background may show round the ring: its own and its ancestors'
     * background colours composited over white, and where one of them paints a gradient (the contest
     * hall, a page header), each of the gradient's colours over what is beneath it, since the ring
     * may sit over any part of it. A picture (url(...)) is not read: the colour beneath stands for it.
     */
    function behind(from: Element | null): number[][] {
      const layers: { colour: number[]; stops: number[][] }[] = []
      for (let e = from; e; e = e.parentElement) {
        const css = getComputedStyle(e)
        const colour = rgba(css.backgroundColor)
        const stops = css.backgroundImage.includes('gradient(') ? (css.backgroundImage.match(/rgba?\([^)]*\)/g) ?? []).map(rgba) : []
        if (colour[3] > 0 || stops.length) layers.push({ colour, stops })
        if (colour[3] >= 1 && !stops.length) break
        if (stops.length && stops.every((c) => c[3] >= 1)) break
      }
      let candidates = [[255, 255, 255]]
      for (const { colour, stops } of layers.reverse()) {
        candidates = candidates.map((under) => (colour[3] > 0 ? over(colour, under) : under))
        if (stops.length) candidates = candidates.flatMap((under) => stops.map((stop) => over(stop, under)))
      }
      return candidates
    }
    function over([r, g, b, a]: number[], under: number[]): number[] {
      return [r * a + under[0] * (1 - a), g * a + under[1] * (1 - a), b * a + under[2] * (1 - a)]
    }
    function luminance(rgb: number[]): number {
      const [r, g, b] = rgb.map((v) => {
        const c = v / 255
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
      })
      return 0.2126 * r + 0.7152 * g + 0.0722 * b
    }
  }, selector)
}
