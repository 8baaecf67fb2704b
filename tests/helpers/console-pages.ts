// The console on phones and tablets, shared by tests/e2e/console-phone.test.ts and
// console-tablet.test.ts: the data their pages show, the pages and menus of a secretary and an
// admin, and what they measure on a page (sideways scrolling, squeezed tables, pinned columns,
// chart labels, controls too small for a finger).
import { beforeAll } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { api as apiJson, createOpenExam, createThemeDay, tokenFor, useBrowserServer, type E2EServer } from './browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

export interface ConsoleIds {
  /** An exam with one submitted paper: its results page has a table, charts and item analysis. */
  exam: number
  /** One nobody has taken yet, so the wizard's four steps can all be opened. */
  fresh: number
  /** An activity of 办公室党支部, for its page in the 五学 ledger. */
  activity: number
}

/**
 * A server, Chromium and the data below for one test file (started before its tests, stopped after
 * them); read `env.server`, `env.browser` and `env.ids` inside tests.
 */
export function useConsoleServer(): { server: E2EServer; browser: Browser; ids: ConsoleIds } {
  const env = useBrowserServer() as { server: E2EServer; browser: Browser; ids: ConsoleIds }
  beforeAll(async () => {
    env.ids = await seedConsole(env.server)
  })
  return env
}

/** What the console's pages show in these tests: two exams (one taken), an activity. */
export async function seedConsole(server: E2EServer): Promise<ConsoleIds> {
  const ids = {} as ConsoleIds
  const admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const branch = (await apiJson(server, 'GET', '/api/orgs', admin)).find((o: any) => o.name === '办公室党支部').id
  const now = Date.now()
  const exam = await createOpenExam(server, admin, {
    title: '手机版管理后台检查·一个相当长的考试名称用来检验换行',
    audienceOrgIds: [branch],
    passScore: 30,
    paper: {
      rules: [
        { type: 'judge', count: 2, scoreEach: 25 },
        { type: 'single', count: 2, scoreEach: 25 },
      ],
    },
  })
  ids.exam = exam.id
  ids.fresh = (
    await createOpenExam(server, admin, {
      title: '手机版管理后台检查·尚未开考',
      audienceOrgIds: [branch],
      opensAt: new Date(now + 86_400_000).toISOString(),
      closesAt: new Date(now + 90_000_000).toISOString(),
      passScore: 60,
      paper: { rules: [{ type: 'judge', count: 5, scoreEach: 20 }] },
    })
  ).id
  const member = await tokenFor(server, 'dy0001', DEMO_PASSWORD)
  const a = await apiJson(server, 'POST', `/api/exams/${exam.id}/attempts`, member, {})
  for (const q of a.questions)
    await apiJson(server, 'PUT', `/api/attempts/${a.attemptId}/answers/${q.id}`, member, { answer: q.type === 'judge' ? true : 'A' })
  await apiJson(server, 'POST', `/api/attempts/${a.attemptId}/submit`, member, {})
  const secretary = await tokenFor(server, 'sj_bgs', DEMO_PASSWORD)
  ids.activity = await createThemeDay(server, secretary, branch)
  return ids
}

// Every page the menu reaches (web/src/layouts/ConsoleLayout.vue's items), and the pages one click
// further: an exam's results, the exam wizard (admin), an activity. 监控 on a phone is the member
// shell's phone page (/monitor), as MonitorView decides; it must not scroll sideways either.
export const PAGES = {
  secretary: (ids: ConsoleIds) => [
    '/console/users',
    '/console/exams',
    `/console/exams/${ids.exam}/results`,
    '/console/study',
    `/console/monitor?examId=${ids.exam}`,
    '/console/stats',
    '/console/campaign',
    `/console/campaign/activities/${ids.activity}`,
    '/console/bulletins',
    '/console/contests',
    '/console/feedback',
    '/console/comments',
  ],
  admin: (ids: ConsoleIds) => [
    '/console/orgs',
    '/console/users',
    '/console/questions',
    '/console/exams',
    '/console/exams/new',
    `/console/exams/${ids.fresh}/edit`,
    `/console/exams/${ids.exam}/results`,
    '/console/study',
    `/console/monitor?examId=${ids.exam}`,
    '/console/stats',
    '/console/campaign',
    `/console/campaign/activities/${ids.activity}`,
    '/console/bulletins',
    '/console/contests',
    '/console/feedback',
    '/console/comments',
    '/console/policy',
    '/console/audit',
  ],
}
// What the menu offers each of them (the pages above whose path is a menu item's).
export const MENU = {
  secretary: ['users', 'exams', 'study', 'monitor', 'stats', 'campaign', 'bulletins', 'contests', 'feedback', 'comments'],
  admin: [
    'orgs',
    'users',
    'questions',
    'exams',
    'study',
    'monitor',
    'stats',
    'campaign',
    'bulletins',
    'contests',
    'feedback',
    'comments',
    'policy',
    'audit',
  ],
}
export const WHO = [
  ['secretary', 'sj_bgs', DEMO_PASSWORD],
  ['admin', DEMO_ADMIN.username, DEMO_ADMIN.password],
] as const

export async function settle(page: Page) {
  await page.waitForLoadState('networkidle')
  await page
    .waitForFunction(() => !document.querySelector('.el-loading-mask, .van-loading'), undefined, { timeout: 10_000 })
    .catch(() => {})
  await page.waitForTimeout(400) // transitions, charts
}

/**
 * What is wrong with the page's width: null when all is well, else which part is too wide and its
 * outermost too-wide elements.
 * - The page may not scroll sideways: not the document, nor the console's <main class="el-main">
 *   (element-plus gives it overflow: auto, so a too-wide page would scroll sideways in there).
 * - Nor may anything stick out of a box that cuts it off or scrolls it (an el-card clips, and its
 *   body scrolls): a row of counters wider than its card loses its last counter, or makes the card
 *   scroll sideways, without the document growing.
 * Tables may: an el-table scrolls inside its card. So may element-plus's own clipping parts (an
 * ellipsis, the tabs' scrolling nav, a select's tags) and a box marked data-scroll-x.
 */
export function overflow(page: Page) {
  return page.evaluate(() => {
    // On a phone (isMobile) Chrome zooms out to show a page that is too wide, and innerWidth then
    // grows with it: the layout viewport (clientWidth, 390) is the width the page must keep to.
    const vw = Math.min(window.innerWidth, document.documentElement.clientWidth)
    const main = document.querySelector('main.el-main')
    const name = (e: Element) =>
      e.tagName.toLowerCase() +
      (e.id ? `#${e.id}` : '') +
      [...e.classList]
        .slice(0, 3)
        .map((c) => `.${c}`)
        .join('') +
      (e.getAttribute('data-test') ? `[data-test=${e.getAttribute('data-test')}]` : '')
    const OWN_CLIPPING =
      '.el-table, .el-tabs__nav-wrap, .el-input__wrapper, .el-select__wrapper, .el-tree-node, .el-step, .el-image, .el-upload, .el-drawer, [data-scroll-x]'
    /** The box that cuts e off or scrolls it on the right: the nearest ancestor whose overflow-x is not visible, or the viewport. */
    const box = (e: Element): { el: Element | null; right: number } => {
      for (let p = e.parentElement; p && p !== document.body && p !== document.documentElement; p = p.parentElement) {
        if (getComputedStyle(p).overflowX === 'visible') continue
        const r = p.getBoundingClientRect()
        return { el: p, right: r.left + p.clientLeft + p.clientWidth }
      }
      return { el: null, right: vw }
    }
    const sticksOut = (e: Element) => {
      const r = e.getBoundingClientRect()
      if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') return false
      const b = box(e)
      if (b.el?.closest(OWN_CLIPPING)) return false
      return r.right + (b.el?.scrollLeft ?? 0) > b.right + 1
    }
    const culprits = [...document.body.querySelectorAll('*')]
      .filter((e) => sticksOut(e) && !(e.parentElement && sticksOut(e.parentElement)))
      .map((e) => {
        const r = e.getBoundingClientRect()
        const b = box(e)
        return `${name(e)} (${Math.round(r.width)} px wide, right edge at ${Math.round(r.right)} > ${Math.round(b.right)}${b.el && b.el !== main ? ` of ${name(b.el)}` : ''}) “${(e.textContent ?? '').trim().slice(0, 20)}”`
      })
    const sw = document.documentElement.scrollWidth
    const wide = [
      ...(sw > vw ? [`the document is ${sw} px wide`] : []),
      ...(main && main.scrollWidth > main.clientWidth + 1 ? [`<main> scrolls ${main.scrollWidth} px in ${main.clientWidth}`] : []),
    ]
    if (!wide.length && !culprits.length) return null
    return `${wide.join(', ') || 'cut off'}: ${culprits.slice(0, 4).join('; ')}${culprits.length > 4 ? ` (+${culprits.length - 4} more)` : ''}`
  })
}

/**
 * Visible tables in the page squeezed beside a tree or a side card: narrower than 85 % of the page
 * (on a phone) and than 560 px (on a tablet in landscape a table may keep 560 px and more beside a
 * tree or a side card, as on a desk).
 */
export function narrowTables(page: Page) {
  return page.evaluate(() => {
    const main = document.querySelector('main.el-main')
    if (!main) return [] // 监控's phone page, in the member shell
    const room = main.clientWidth
    return [...main.querySelectorAll('.el-table')]
      .map((t) => ({ t, w: t.getBoundingClientRect().width }))
      .filter(({ t, w }) => w > 0 && (t as HTMLElement).offsetParent !== null && w < Math.min(room * 0.85, 560))
      .map(({ t, w }) => `${Math.round(w)} px wide of ${room}: ${(t.textContent ?? '').trim().slice(0, 24)}`)
  })
}

/**
 * Tables whose pinned columns (fixed left or right: they stay put while the rest scrolls under
 * them) take more than a third of the table's width, or that pin a column to the right edge (操作
 * over the data): on a phone the data columns must keep most of the table.
 */
export function pinnedColumns(page: Page) {
  return page.evaluate(() => {
    const main = document.querySelector('main.el-main')
    if (!main) return []
    return [...main.querySelectorAll('.el-table')]
      .filter((t) => (t as HTMLElement).offsetParent !== null && t.getBoundingClientRect().width > 0)
      .flatMap((t) => {
        const width = t.getBoundingClientRect().width
        const header = [...t.querySelectorAll('.el-table__header-wrapper th')]
        const sum = (side: string) =>
          header
            .filter((th) => th.classList.contains(`el-table-fixed-column--${side}`))
            .reduce((a, th) => a + th.getBoundingClientRect().width, 0)
        const left = sum('left')
        const right = sum('right')
        const what = (t.textContent ?? '').trim().slice(0, 16)
        return [
          ...(right > 0 ? [`a column pinned to the right, ${Math.round(right)} px of ${Math.round(width)}: ${what}`] : []),
          ...(left + right > width / 3 ? [`pinned columns ${Math.round(left + right)} px of ${Math.round(width)}: ${what}`] : []),
        ]
      })
  })
}

/** The charts whose categories (unit names, activity types) are written down the left side. */
export const CATEGORY_CHARTS = [
  'chart-by-org',
  'chart-by-type',
  'chart-learner-days',
  'chart-per-capita',
  'chart-participation',
  'chart-completion',
]

/**
 * How much of each such chart's width its category labels take: read off the drawing itself. The
 * category axis is the leftmost vertical line that runs down most of the canvas (labels are short
 * runs of text, bars are horizontal); everything left of it is labels and margin.
 */
export function chartLabelShares(page: Page) {
  return page.evaluate((names) => {
    return [...document.querySelectorAll(names.map((n) => `[data-test=${n}]`).join(', '))]
      .filter((c) => (c as HTMLElement).offsetParent !== null)
      .map((chart) => {
        const canvas = chart.querySelector('canvas')
        if (!canvas || !canvas.width) return { chart: chart.getAttribute('data-test')!, share: -1 }
        const { width: w, height: h } = canvas
        const data = canvas.getContext('2d')!.getImageData(0, 0, w, h).data
        let axis = -1
        for (let x = 0; x < w && axis < 0; x++) {
          let inked = 0
          for (let y = 0; y < h; y++) {
            const i = (y * w + x) * 4
            if (data[i + 3] > 128 && data[i] + data[i + 1] + data[i + 2] < 600) inked++
          }
          if (inked > h * 0.65) axis = x
        }
        return { chart: chart.getAttribute('data-test')!, share: axis / w, width: Math.round(chart.getBoundingClientRect().width) }
      })
  }, CATEGORY_CHARTS)
}

/**
 * 统计's longest unit name (its page open) and a point on its bar in the 学习人次 chart: the axis
 * may cut the name short, the tooltip there names it in full.
 */
export async function longestUnitBar(page: Page) {
  const names = await page.locator('[data-test=stats-table] .el-table__body-wrapper tr td:first-child').allInnerTexts()
  const units = names.slice(0, -1) // the last row is 合计
  const longest = units.reduce((a, b) => (b.length > a.length ? b : a))
  const chart = page.locator('[data-test=chart-learner-days]')
  await chart.scrollIntoViewIfNeeded()
  const c = (await chart.boundingBox())!
  // The grid: 10 px above, 10 px and the value axis's labels (about 20 px) below, a band per unit.
  const band = (c.height - 40) / units.length
  return { longest, chart, x: c.x + c.width * 0.7, y: c.y + 10 + band * (units.indexOf(longest) + 0.5) }
}

/** The least a control may measure where it is tapped with a finger: 44 × 44 CSS px (WCAG 2.5.5). */
export const TOUCH_MIN = 44

/**
 * The visible controls under `scope` smaller than 44 × 44 px: each as “its text” width×height,
 * the same control repeated down a table counted once (×n). A control is what a finger taps:
 * buttons, links, inputs, tabs, switches, checkboxes, radios, pager numbers, tree rows, a date
 * picker's days and a time picker's hours and minutes, anything focusable. element-plus draws an input inside a wrapper that takes the tap (a select's, a date
 * range's), and hides the real checkbox, radio or switch inside its label: those are measured.
 */
export function smallTargets(page: Page, scope = 'body') {
  return page.evaluate(
    ({ scope, min }) => {
      const CONTROLS = [
        'button',
        'a[href]',
        'input:not([type=hidden])',
        'textarea',
        'select',
        '[role=button]',
        '[role=tab]',
        '[role=switch]',
        '[role=checkbox]',
        '[role=radio]',
        '[role=menuitem]',
        '[role=option]',
        '[role=treeitem]',
        '.el-pager li',
        // A date picker's days (only the chosen one is focusable) and a time picker's hours and minutes.
        '.el-date-table__row > td',
        '.el-time-spinner__item',
        '[tabindex]:not([tabindex="-1"])',
      ].join(', ')
      const WRAPPERS =
        '.el-select__wrapper, .el-input__wrapper, .el-input-tag, .el-textarea, .el-checkbox, .el-radio, .el-radio-button, .el-switch'
      const tapped = (e: Element): Element | null =>
        e.matches('[role=treeitem]') ? e.querySelector(':scope > .el-tree-node__content') : (e.closest(WRAPPERS) ?? e)
      const shown = (e: Element) => {
        const r = e.getBoundingClientRect()
        // A box of a pixel or less is visually hidden (a skip link until it has the focus).
        return r.width > 1 && r.height > 1 && e.checkVisibility({ visibilityProperty: true }) && !e.closest('[aria-hidden=true], [inert]')
      }
      // A calendar's days are named together (“a day” 32×30 (×42)), not one line per date.
      const what = (e: Element) =>
        (
          (e.matches('.el-date-table td') && 'a day') ||
          (e.matches('.el-time-spinner__item') && 'an hour or minute') ||
          e.getAttribute('aria-label') ||
          (e as HTMLElement).innerText ||
          e.querySelector('input')?.getAttribute('placeholder') ||
          `<${e.tagName.toLowerCase()} class="${e.getAttribute('class') ?? ''}">`
        )
          .trim()
          .replace(/\s+/g, ' ')
          .slice(0, 24)
      const seen = new Set<Element>()
      const counts = new Map<string, number>()
      for (const root of document.querySelectorAll(scope))
        for (const c of root.querySelectorAll(CONTROLS)) {
          const t = tapped(c)
          if (!t || seen.has(t)) continue
          seen.add(t)
          if (!shown(t)) continue
          const r = t.getBoundingClientRect()
          if (r.width >= min - 0.5 && r.height >= min - 0.5) continue
          const line = `“${what(t)}” ${Math.round(r.width)}×${Math.round(r.height)}`
          counts.set(line, (counts.get(line) ?? 0) + 1)
        }
      return [...counts].map(([line, n]) => (n > 1 ? `${line} (×${n})` : line))
    },
    { scope, min: TOUCH_MIN },
  )
}
