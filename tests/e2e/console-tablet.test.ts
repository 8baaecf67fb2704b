// The console on a tablet, and the line where the desk begins: secretaries (many in their fifties)
// open it on iPads, upright (768, the Air's 820) and in landscape (1024). There is no permanent
// sidebar below 1280 px but a top bar whose 打开菜单 button opens the same navigation in a drawer, no
// console page scrolls sideways nor squeezes a table, charts' unit names take at most a third of the
// chart, and every control is at least 44 × 44 px for a finger (题库's 操作 still on one line). At
// 1280 and 1366 px the console is the desktop layout it always was: with a mouse the desk's control
// sizes, with a finger (an iPad Pro in landscape, 1366 px) the 44 px ones; 统计's three charts a row
// keep their unit names to a third too. Phones: console-phone.test.ts; pop-ups and date pickers:
// console-popups.test.ts; what they measure: tests/helpers/console-pages.ts.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, loginAs, openTouchContext, shot } from '../helpers/browser.js'
import {
  MENU,
  PAGES,
  WHO,
  chartLabelShares,
  longestUnitBar,
  narrowTables,
  overflow,
  settle,
  smallTargets,
  useConsoleServer,
} from '../helpers/console-pages.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useConsoleServer()

// iPads: portrait 768 (and 820, the Air), landscape 1024.
const TABLETS = [
  { width: 768, height: 1024 },
  { width: 820, height: 1180 },
  { width: 1024, height: 768 },
]
// An iPad Pro 12.9" in landscape: as wide as a desk, tapped with a finger.
const IPAD_PRO = { width: 1366, height: 1024 }

describe('the console on a tablet', () => {
  for (const [who, username, password] of WHO) {
    it(`${who === 'admin' ? 'an admin' : 'a secretary'}: no page scrolls sideways at 768, 820 or 1024 px, no table is squeezed, every control and the menu are in a finger's reach`, async () => {
      const { server, browser, ids } = env
      const { context, page } = await openTouchContext(browser, server.baseUrl, TABLETS[0], username, password)

      const wide: string[] = []
      const small: string[] = []
      for (const path of PAGES[who](ids)) {
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
          // An iPad Air upright: every control at least 44 × 44 px for a finger (touch.css).
          if (size.width === 820) for (const t of await smallTargets(page)) small.push(`${path} at 820 px: ${t}`)
          for (const c of await chartLabelShares(page))
            if (c.share < 0 || c.share > 1 / 3)
              wide.push(`${path} at ${size.width} px: ${c.chart}'s labels take ${Math.round(c.share * 100)} % of its ${c.width} px`)
          if (process.env.SHOT_ALL || (size.width !== 820 && ['/console/users', '/console/stats', '/console/questions'].includes(path)))
            await shot(page, `console-tablet-${size.width}-${who}-${path.split('/').slice(2).join('-').replace(/\?.*/, '')}`)
        }
      }
      expect.soft(wide.join('\n'), 'pages that scroll sideways or squeeze a table on a tablet').toBe('')
      expect.soft(small.join('\n'), 'controls smaller than 44 × 44 px on a tablet').toBe('')

      // The chrome at both ends: every menu item one tap away behind the menu button, and every
      // control of the chrome at least 44 × 44 px for a finger.
      for (const size of [TABLETS[0], TABLETS[2]]) {
        await page.setViewportSize(size)
        await page.goto(`${server.baseUrl}/console/users`)
        await settle(page)
        expect(await smallTargets(page, 'header, aside'), `${size.width} px: the chrome's controls`).toEqual([])
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
        expect(await smallTargets(page, '.console-drawer'), 'the drawer').toEqual([])
        await shot(page, `console-tablet-${size.width}-${who}-drawer`)
        await drawer.locator('[data-test=nav-console-exams]').tap()
        await page.waitForURL(/\/console\/exams$/)
        await drawer.waitFor({ state: 'hidden' })
        expect(await page.locator('[data-test=console-page-title]').innerText()).toBe('考试')
      }
      await context.close()
    }, 300_000)
  }

  it("题库's 操作 (编辑 修订历史 删除) stays on one line at 1024 and 820 px, each button a finger's 44 px", async () => {
    const { server, browser } = env
    const { context, page } = await openTouchContext(browser, server.baseUrl, TABLETS[2], DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.goto(`${server.baseUrl}/console/questions`)
    await settle(page)
    for (const size of [TABLETS[2], TABLETS[1]]) {
      await page.setViewportSize(size)
      await page.waitForTimeout(400)
      const rows = await actionRows(page)
      expect(rows.length, `${size.width} px: rows in 题库`).toBeGreaterThan(5)
      expect(rows[0].buttons, `${size.width} px: a row's 操作`).toEqual(['编辑', '修订历史', '删除'])
      const wrapped = rows.filter((r) => r.lines !== 1).map((r) => `#${r.id}: ${r.lines} lines, ${r.height} px tall`)
      expect.soft(wrapped, `${size.width} px: rows whose 操作 wraps`).toEqual([])
      expect(await smallTargets(page, '.actions-col'), `${size.width} px: 操作's buttons`).toEqual([])
      await shot(page, `console-tablet-${size.width}-admin-questions-actions`)
    }
    await context.close()
  })
})

/** 题库's rows: each row's 操作 buttons and on how many lines they sit (by their tops). */
function actionRows(page: Page) {
  return page.locator('[data-test=questions-table] .el-table__body-wrapper tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const buttons = [...tr.querySelectorAll('td.actions-col .el-button')]
      return {
        id: (tr.querySelector('td:nth-child(2)') as HTMLElement | null)?.innerText ?? '',
        buttons: buttons.map((b) => (b as HTMLElement).innerText.trim()),
        lines: new Set(buttons.map((b) => Math.round(b.getBoundingClientRect().top))).size,
        height: Math.round(tr.getBoundingClientRect().height),
      }
    }),
  )
}

describe('an iPad Pro in landscape (1366 px, a finger)', () => {
  for (const [role, username, password] of WHO)
    it(`${role === 'admin' ? 'an admin' : 'a secretary'}: the desk's layout with its sidebar, and every control of every page still 44 px for a finger`, async () => {
      const { server, browser, ids } = env
      const { context, page } = await openTouchContext(browser, server.baseUrl, IPAD_PRO, username, password)
      // Chromium takes a touch screen (playwright's hasTouch) for a coarse pointer: touch.css's
      // (pointer: coarse) is what sizes the controls here, not the window's width.
      expect(await page.evaluate(() => [matchMedia('(pointer: coarse)').matches, matchMedia('(max-width: 1279px)').matches])).toEqual([
        true,
        false,
      ])
      const wide: string[] = []
      const small: string[] = []
      for (const path of PAGES[role](ids)) {
        await page.goto(`${server.baseUrl}${path}`)
        await settle(page)
        const o = await overflow(page)
        if (o) wide.push(`${path}: ${o}`)
        for (const t of await smallTargets(page)) small.push(`${path}: ${t}`)
        // 题库's 操作 is the touch width here too: its three buttons on one line.
        if (path === '/console/questions')
          for (const r of await actionRows(page)) if (r.lines !== 1) wide.push(`${path}: #${r.id}'s 操作 takes ${r.lines} lines`)
      }
      expect.soft(wide.join('\n'), 'pages that scroll sideways at 1366 px with bigger controls, or wrap 操作').toBe('')
      expect.soft(small.join('\n'), 'controls smaller than 44 × 44 px on an iPad Pro').toBe('')
      expect(await page.locator('aside.el-aside').isVisible(), 'the sidebar').toBe(true)
      expect(await page.locator('[aria-label=打开菜单]').count(), 'no menu button').toBe(0)
      await shot(page, `console-ipad-pro-1366-${role}`)
      await context.close()
    }, 300_000)
})

describe('the console at 1280 px and wider (a desk, a mouse)', () => {
  it('at 1366 and 1280 px the sidebar is there as before, and no menu button', async () => {
    const { server, browser } = env
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

  it("at 1280 px the controls keep the desk's sizes, and every chart's unit names take at most a third of it", async () => {
    const { server, browser, ids } = env
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' })
    await loginAs(page, server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    const shares: string[] = []
    const charts: string[] = []
    for (const path of ['/console/stats', `/console/exams/${ids.exam}/results`, '/console/campaign']) {
      await page.goto(`${server.baseUrl}${path}`)
      await settle(page)
      for (const c of await chartLabelShares(page)) {
        charts.push(`${path.replace(/\/\d+\//, '/:id/')} ${c.chart}`)
        if (c.share < 0 || c.share > 1 / 3)
          shares.push(`${path}: ${c.chart}'s labels take ${Math.round(c.share * 100)} % of its ${c.width} px`)
      }
      if (path === '/console/stats') await shot(page, 'console-desk-1280-admin-stats')
    }
    expect(shares, 'charts whose labels take more than a third at 1280 px').toEqual([])
    expect(charts).toEqual(
      expect.arrayContaining([
        '/console/stats chart-learner-days',
        '/console/stats chart-per-capita',
        '/console/stats chart-participation',
        '/console/exams/:id/results chart-by-org',
        '/console/campaign chart-by-type',
        '/console/campaign chart-by-org',
      ]),
    )

    // The name a label cuts short is whole in the tooltip: hover the bar of 统计's longest unit name.
    await page.goto(`${server.baseUrl}/console/stats`)
    await settle(page)
    const unit = await longestUnitBar(page)
    await page.mouse.move(unit.x, unit.y)
    await page.waitForTimeout(400)
    expect(await unit.chart.innerText()).toContain(unit.longest)

    // A mouse at a desk: element-plus's own sizes, not a finger's (touch.css stays out of the way).
    const heights = await page
      .locator('[data-test=stats] .toolbar')
      .evaluate((bar) =>
        [...bar.querySelectorAll('.el-button, .el-select__wrapper')].map((e) => Math.round(e.getBoundingClientRect().height)),
      )
    expect(heights.length).toBeGreaterThan(1)
    for (const h of heights) expect(h).toBe(32)
    await page.close()
  })
})
