// The console on a phone and on a tablet: branch secretaries (many in their fifties) open it on
// their phones and iPads. Below 1280 px there is no permanent sidebar but a top bar whose 打开菜单
// button opens the same navigation in a drawer, and no console page scrolls sideways at 390 or 360
// px nor at 768, 820 or 1024 px (tables scroll inside their own card); on a phone no table pins its
// 操作 column over the data, and charts' unit names leave the bars most of the chart. At 1280 and
// 1366 px the console is the desktop layout it always was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DESKTOP, PHONE, launchBrowser, loginAs, shot, startServer, type E2EServer, api as apiJson, tokenFor } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const NARROW_PHONE = { width: 360, height: 740 }
let server: E2EServer
let browser: Browser
const ids: Record<string, number> = {}

beforeAll(async () => {
  server = await startServer()
  browser = await launchBrowser()
  const admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const branch = (await apiJson(server, 'GET', '/api/orgs', admin)).find((o: any) => o.name === '办公室党支部').id
  const now = Date.now()
  // An exam with one submitted paper, so its results page has a table, charts and item analysis.
  const exam = await apiJson(server, 'POST', '/api/exams', admin, {
    title: '手机版管理后台检查·一个相当长的考试名称用来检验换行',
    opensAt: new Date(now - 60_000).toISOString(),
    closesAt: new Date(now + 3_600_000).toISOString(),
    durationMinutes: 30,
    audienceOrgIds: [branch],
    passScore: 30,
    maxAttempts: 1,
    shuffleQuestions: false,
    shuffleOptions: false,
    releaseResults: 'immediately',
    paper: {
      rules: [
        { type: 'judge', count: 2, scoreEach: 25 },
        { type: 'single', count: 2, scoreEach: 25 },
      ],
    },
  })
  ids.exam = exam.id
  // One nobody has taken yet, so the wizard's four steps can all be opened.
  ids.fresh = (
    await apiJson(server, 'POST', '/api/exams', admin, {
      title: '手机版管理后台检查·尚未开考',
      opensAt: new Date(now + 86_400_000).toISOString(),
      closesAt: new Date(now + 90_000_000).toISOString(),
      durationMinutes: 30,
      audienceOrgIds: [branch],
      passScore: 60,
      maxAttempts: 1,
      shuffleQuestions: false,
      shuffleOptions: false,
      releaseResults: 'immediately',
      paper: { rules: [{ type: 'judge', count: 5, scoreEach: 20 }] },
    })
  ).id
  const member = await tokenFor(server, 'dy0001', DEMO_PASSWORD)
  const a = await apiJson(server, 'POST', `/api/exams/${exam.id}/attempts`, member, {})
  for (const q of a.questions)
    await apiJson(server, 'PUT', `/api/attempts/${a.attemptId}/answers/${q.id}`, member, { answer: q.type === 'judge' ? true : 'A' })
  await apiJson(server, 'POST', `/api/attempts/${a.attemptId}/submit`, member, {})
  const secretary = await tokenFor(server, 'sj_bgs', DEMO_PASSWORD)
  ids.activity = (
    await apiJson(server, 'POST', '/api/activities', secretary, {
      orgId: branch,
      type: 'theme_day',
      title: '重温入党誓词主题党日',
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 90 * 60_000).toISOString(),
      place: '党员活动室',
    })
  ).id
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

// Every page the menu reaches (web/src/layouts/ConsoleLayout.vue's items), and the pages one click
// further: an exam's results, the exam wizard (admin), an activity. 监控 on a phone is the member
// shell's phone page (/monitor), as MonitorView decides; it must not scroll sideways either.
const PAGES = {
  secretary: () => [
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
  admin: () => [
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
const MENU = {
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
const WHO = [
  ['secretary', 'sj_bgs', DEMO_PASSWORD],
  ['admin', DEMO_ADMIN.username, DEMO_ADMIN.password],
] as const

async function settle(page: Page) {
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
function overflow(page: Page) {
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
function narrowTables(page: Page) {
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
function pinnedColumns(page: Page) {
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
const CATEGORY_CHARTS = [
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
function chartLabelShares(page: Page) {
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

describe('the console on a phone', () => {
  for (const [who, username, password] of WHO) {
    it(`${who === 'admin' ? 'an admin' : 'a secretary'}: no page scrolls sideways at 390 or 360 px, and the menu is a drawer`, async () => {
      const context = await browser.newContext({
        viewport: PHONE,
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
        serviceWorkers: 'block',
      })
      const page = await context.newPage()
      await loginAs(page, server.baseUrl, username, password)
      await page.waitForURL((u) => u.pathname !== '/login')

      // Every page, at 390 and at 360 px.
      const wide: string[] = []
      const charts: string[] = []
      for (const path of PAGES[who]()) {
        await page.setViewportSize(PHONE)
        await page.goto(`${server.baseUrl}${path}`)
        await settle(page)
        const at = new URL(page.url()).pathname
        expect(at, `${path} stays in the console (监控 becomes its phone page)`).toBe(
          path.startsWith('/console/monitor') ? '/monitor' : path.split('?')[0],
        )
        const o390 = await overflow(page)
        if (o390) wide.push(`${path} at 390 px: ${o390}`)
        // 组织's per-unit buttons are tapped with a finger: 44 px each.
        if (path === '/console/orgs')
          for (const h of await page.locator('.ops .el-button').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height)))
            if (h < 44) wide.push(`${path}: a unit's button is ${Math.round(h)} px tall, under 44`)
        // Nor squeezed beside something else: a table takes (nearly) the page's width.
        for (const t of await narrowTables(page)) wide.push(`${path} at 390 px: a table ${t}`)
        // No 操作 column pinned over the data, no pinned name column taking half the table.
        for (const t of await pinnedColumns(page)) wide.push(`${path} at 390 px: ${t}`)
        // A chart's unit names leave the bars two thirds of it (long names wrap, or end in …; the tooltip has them whole).
        for (const c of await chartLabelShares(page)) {
          charts.push(`${path} ${c.chart}`)
          if (c.share < 0 || c.share > 1 / 3)
            wide.push(`${path} at 390 px: ${c.chart}'s labels take ${Math.round(c.share * 100)} % of its ${c.width} px`)
        }
        // SHOT_ALL=1 photographs every page (to look them over), else a few.
        if (process.env.SHOT_ALL || ['/console/users', '/console/stats', '/console/exams'].includes(path) || path.endsWith('/results'))
          await shot(page, `console-phone-${who}-${path.split('/').slice(2).join('-').replace(/\?.*/, '')}`)
        await page.setViewportSize(NARROW_PHONE)
        await page.waitForTimeout(400)
        const o360 = await overflow(page)
        if (o360) wide.push(`${path} at 360 px: ${o360}`)
      }
      // The exam wizard's other steps: 参考范围 (tree and summary), 试卷, 预览 (the sample paper).
      if (who === 'admin') {
        await page.setViewportSize(PHONE)
        await page.goto(`${server.baseUrl}/console/exams/${ids.fresh}/edit`)
        await settle(page)
        for (const step of ['audience', 'paper', 'preview']) {
          await page.locator('[data-test=wizard-next]').tap()
          await settle(page)
          const o = await overflow(page)
          if (o) wide.push(`wizard step ${step} at 390 px: ${o}`)
          await shot(page, `console-phone-admin-wizard-${step}`)
        }
      }
      expect.soft(wide.join('\n'), 'pages that scroll sideways on a phone').toBe('')
      // The charts measured above: 统计's three, a result's per-unit chart and the 五学 tallies.
      if (who === 'admin')
        expect(charts.map((c) => c.replace(/\/\d+\//, '/:id/'))).toEqual(
          expect.arrayContaining([
            '/console/exams/:id/results chart-by-org',
            '/console/stats chart-learner-days',
            '/console/stats chart-per-capita',
            '/console/stats chart-participation',
            '/console/campaign chart-by-type',
            '/console/campaign chart-by-org',
          ]),
        )
      // Whatever the axis keeps of a long name, the tooltip names it in full: tap the bar of 统计's longest unit name.
      if (who === 'admin') {
        await page.setViewportSize(PHONE)
        await page.goto(`${server.baseUrl}/console/stats`)
        await settle(page)
        const names = await page.locator('[data-test=stats-table] .el-table__body-wrapper tr td:first-child').allInnerTexts()
        const units = names.slice(0, -1) // the last row is 合计
        const longest = units.reduce((a, b) => (b.length > a.length ? b : a))
        expect(longest.length, 'a name too long for the axis').toBeGreaterThan(8)
        const chart = page.locator('[data-test=chart-learner-days]')
        await chart.scrollIntoViewIfNeeded()
        const c = (await chart.boundingBox())!
        // The grid: 10 px above, 10 px and the value axis's labels (about 20 px) below, a band per unit.
        const band = (c.height - 40) / units.length
        await page.touchscreen.tap(c.x + c.width * 0.7, c.y + 10 + band * (units.indexOf(longest) + 0.5))
        await page.waitForTimeout(400)
        expect(await chart.innerText()).toContain(longest)
      }

      // The chrome: a top bar, no sidebar; the menu button opens the drawer with the same items.
      await page.setViewportSize(PHONE)
      await page.goto(`${server.baseUrl}/console/users`)
      await settle(page)
      expect(await page.locator('aside.el-aside').isVisible(), 'no permanent sidebar').toBe(false)
      expect(await page.locator('[data-test=console-nav]').isVisible(), 'no menu until it is asked for').toBe(false)
      // The top bar across the top, the page below it across the whole screen.
      const bar = (await page.locator('[data-test=console-topbar]').boundingBox())!
      const main = (await page.locator('main.el-main').boundingBox())!
      expect([bar.x, bar.y, bar.width]).toEqual([0, 0, PHONE.width])
      expect([main.x, main.width]).toEqual([0, PHONE.width])
      expect(main.y).toBeGreaterThanOrEqual(bar.height)
      const menuButton = page.locator('[aria-label=打开菜单]')
      const box = await menuButton.boundingBox()
      expect(box, 'the menu button is on screen').not.toBeNull()
      expect(box!.width).toBeGreaterThanOrEqual(44)
      expect(box!.height).toBeGreaterThanOrEqual(44)
      expect(await page.locator('[data-test=console-page-title]').innerText()).toBe('用户')
      const drawer = page.locator('[data-test=console-drawer]')
      expect(await drawer.isVisible()).toBe(false)
      await menuButton.tap()
      await drawer.waitFor()
      await page.waitForTimeout(400) // it slides in
      const offered = await drawer
        .locator('[data-test^=nav-console-]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-test')!.replace('nav-console-', '')))
      expect(offered).toEqual(MENU[who])
      // One copy of the menu in the page: the drawer's.
      expect(await page.locator('[data-test=nav-console-exams]').count()).toBe(1)
      expect(await drawer.locator('[data-test=console-user]').innerText()).toContain(who === 'admin' ? '管理员' : '书记')
      expect(await drawer.locator('[data-test=console-logout]').isVisible()).toBe(true)
      await shot(page, `console-phone-${who}-drawer`)
      await drawer.locator('[data-test=nav-console-exams]').tap()
      await page.waitForURL(/\/console\/exams$/)
      await drawer.waitFor({ state: 'hidden' })
      expect(await page.locator('[data-test=console-page-title]').innerText()).toBe('考试')

      // A dialog fits the screen: 新建用户.
      if (who === 'admin') {
        await page.setViewportSize(PHONE)
        await page.goto(`${server.baseUrl}/console/users`)
        await settle(page)
        await page.locator('[data-test=users-add]').tap()
        const dialog = page.locator('.el-dialog', { has: page.locator('[data-test=user-username]') })
        await dialog.waitFor()
        await page.waitForTimeout(400)
        const d = (await dialog.boundingBox())!
        expect(d.x).toBeGreaterThanOrEqual(0)
        expect(d.x + d.width).toBeLessThanOrEqual(PHONE.width)
        expect(d.width).toBeGreaterThanOrEqual(PHONE.width * 0.85)
        expect(await overflow(page)).toBeNull()
        await shot(page, 'console-phone-admin-user-dialog')
        // The question editor, 1120 px on a desk: the form, then the phone preview under it.
        await page.goto(`${server.baseUrl}/console/questions`)
        await settle(page)
        await page.locator('[data-test=questions-add]').tap()
        const editor = page.locator('.el-dialog[data-test=question-editor]')
        await editor.waitFor()
        await page.waitForTimeout(400)
        const e = (await editor.boundingBox())!
        expect(e.x).toBeGreaterThanOrEqual(0)
        expect(e.x + e.width).toBeLessThanOrEqual(PHONE.width)
        expect(await overflow(page)).toBeNull()
        await shot(page, 'console-phone-admin-question-editor')
      }
      await context.close()
    }, 240_000)
  }

  it('at 1366 and 1280 px the sidebar is there as before, and no menu button', async () => {
    const page = await browser.newPage({ viewport: DESKTOP, locale: 'zh-CN' })
    await loginAs(page, server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await page.waitForURL(/\/console/)
    await settle(page)
    await page.setViewportSize({ width: 1280, height: 800 })
    await page.waitForTimeout(300)
    expect(await page.locator('aside.el-aside').isVisible(), 'the sidebar at 1280 px').toBe(true)
    expect(await page.locator('[aria-label=打开菜单]').count()).toBe(0)
    await page.setViewportSize(DESKTOP)
    await page.waitForTimeout(300)
    const sidebar = page.locator('aside.el-aside')
    expect(await sidebar.isVisible()).toBe(true)
    expect(Math.round((await sidebar.boundingBox())!.width)).toBe(200)
    expect(await page.locator('[aria-label=打开菜单]').count()).toBe(0)
    expect(await page.locator('[data-test=console-drawer]').isVisible()).toBe(false)
    expect(await page.locator('[data-test=console-user]').isVisible()).toBe(true)
    expect(await page.locator('[data-test=console-logout]').isVisible()).toBe(true)
    await sidebar.locator('[data-test=nav-console-exams]').click()
    await page.waitForURL(/\/console\/exams$/)
    expect(await sidebar.isVisible()).toBe(true)
    await page.close()
  })
})

// iPads: portrait 768 (and 820, the Air), landscape 1024.
const TABLETS = [
  { width: 768, height: 1024 },
  { width: 820, height: 1180 },
  { width: 1024, height: 768 },
]

describe('the console on a tablet', () => {
  for (const [who, username, password] of WHO) {
    it(`${who === 'admin' ? 'an admin' : 'a secretary'}: no page scrolls sideways at 768, 820 or 1024 px, no table is squeezed, the menu is in finger's reach`, async () => {
      const context = await browser.newContext({
        viewport: TABLETS[0],
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
        serviceWorkers: 'block',
      })
      const page = await context.newPage()
      await loginAs(page, server.baseUrl, username, password)
      await page.waitForURL((u) => u.pathname !== '/login')

      const wide: string[] = []
      for (const path of PAGES[who]()) {
        await page.setViewportSize(TABLETS[0])
        await page.goto(`${server.baseUrl}${path}`)
        await settle(page)
        expect(new URL(page.url()).pathname, `${path} stays in the console`).toBe(path.split('?')[0])
        for (const size of TABLETS) {
          if (size !== TABLETS[0]) {
            await page.setViewportSize(size)
            await page.waitForTimeout(400)
          }
          const o = await overflow(page)
          if (o) wide.push(`${path} at ${size.width} px: ${o}`)
          for (const t of await narrowTables(page)) wide.push(`${path} at ${size.width} px: a table ${t}`)
          for (const c of await chartLabelShares(page))
            if (c.share < 0 || c.share > 1 / 3)
              wide.push(`${path} at ${size.width} px: ${c.chart}'s labels take ${Math.round(c.share * 100)} % of its ${c.width} px`)
          if (process.env.SHOT_ALL || (size.width !== 820 && ['/console/users', '/console/stats', '/console/questions'].includes(path)))
            await shot(page, `console-tablet-${size.width}-${who}-${path.split('/').slice(2).join('-').replace(/\?.*/, '')}`)
        }
      }
      expect.soft(wide.join('\n'), 'pages that scroll sideways or squeeze a table on a tablet').toBe('')

      // The chrome at both ends: every menu item one tap away behind the menu button, and every
      // control of the chrome at least 44 px tall for a finger.
      for (const size of [TABLETS[0], TABLETS[2]]) {
        await page.setViewportSize(size)
        await page.goto(`${server.baseUrl}/console/users`)
        await settle(page)
        const small = async (scope: string) =>
          page.locator(scope).evaluateAll((els) =>
            els
              .filter((e) => (e as HTMLElement).offsetParent !== null)
              .map((e) => ({ what: (e.getAttribute('aria-label') ?? e.textContent ?? '').trim(), h: e.getBoundingClientRect().height }))
              .filter((b) => b.h < 44)
              .map((b) => `${b.what} ${Math.round(b.h)} px`),
          )
        expect(await small('header button, header .el-button, aside .el-menu-item'), `${size.width} px: the chrome's controls`).toEqual([])
        const menuButton = page.locator('[aria-label=打开菜单]')
        expect(await menuButton.isVisible(), `${size.width} px: a menu button`).toBe(true)
        const bar = (await page.locator('[data-test=console-topbar]').boundingBox())!
        const main = (await page.locator('main.el-main').boundingBox())!
        expect([bar.x, bar.width, main.x, main.width], `${size.width} px: the page takes the whole width`).toEqual([
          0,
          size.width,
          0,
          size.width,
        ])
        const drawer = page.locator('[data-test=console-drawer]')
        await menuButton.tap()
        await drawer.waitFor()
        await page.waitForTimeout(400)
        const offered = await drawer
          .locator('[data-test^=nav-console-]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-test')!.replace('nav-console-', '')))
        expect(offered).toEqual(MENU[who])
        expect(await small('[data-test=console-drawer] .el-menu-item, [data-test=console-drawer] .el-button'), 'the drawer').toEqual([])
        await shot(page, `console-tablet-${size.width}-${who}-drawer`)
        await drawer.locator('[data-test=nav-console-exams]').tap()
        await page.waitForURL(/\/console\/exams$/)
        await drawer.waitFor({ state: 'hidden' })
        expect(await page.locator('[data-test=console-page-title]').innerText()).toBe('考试')
      }
      await context.close()
    }, 300_000)
  }
})
