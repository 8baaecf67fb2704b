// The console on a phone: branch secretaries (many in their fifties) open it on their phones.
// Below 1280 px there is no permanent sidebar but a top bar whose 打开菜单 button opens the same
// navigation in a drawer; no console page scrolls sideways at 390 or 360 px (tables scroll inside
// their own card), no table pins its 操作 column over the data, charts' unit names leave the bars
// most of the chart, and every control is at least 44 × 44 px for a finger. Tablets and the desktop
// line: console-tablet.test.ts; what both measure: tests/helpers/console-pages.ts.
import { describe, expect, it } from 'vitest'
import { PHONE, openTouchContext, shot } from '../helpers/browser.js'
import {
  MENU,
  PAGES,
  WHO,
  chartLabelShares,
  longestUnitBar,
  narrowTables,
  overflow,
  pinnedColumns,
  settle,
  smallTargets,
  useConsoleServer,
} from '../helpers/console-pages.js'

const NARROW_PHONE = { width: 360, height: 740 }
const env = useConsoleServer()

describe('the console on a phone', () => {
  for (const [who, username, password] of WHO) {
    it(`${who === 'admin' ? 'an admin' : 'a secretary'}: no page scrolls sideways at 390 or 360 px, every control is 44 px for a finger, and the menu is a drawer`, async () => {
      const { server, browser, ids } = env
      const { context, page } = await openTouchContext(browser, server.baseUrl, PHONE, username, password)

      // Every page, at 390 and at 360 px.
      const wide: string[] = []
      const small: string[] = []
      const charts: string[] = []
      for (const path of PAGES[who](ids)) {
        await page.setViewportSize(PHONE)
        await page.goto(`${server.baseUrl}${path}`)
        await settle(page)
        const at = new URL(page.url()).pathname
        expect(at, `${path} stays in the console (监控 becomes its phone page)`).toBe(
          path.startsWith('/console/monitor') ? '/monitor' : path.split('?')[0],
        )
        const o390 = await overflow(page)
        if (o390) wide.push(`${path} at 390 px: ${o390}`)
        // Every control is tapped with a finger: 44 × 44 px at the least (touch.css).
        for (const t of await smallTargets(page)) small.push(`${path} at 390 px: ${t}`)
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
          // (预览 is the member's exam screen in a phone's frame, drawn to the member app's own sizes.)
          if (step !== 'preview') for (const t of await smallTargets(page)) small.push(`wizard step ${step} at 390 px: ${t}`)
          await shot(page, `console-phone-admin-wizard-${step}`)
        }
      }
      expect.soft(wide.join('\n'), 'pages that scroll sideways on a phone').toBe('')
      expect.soft(small.join('\n'), 'controls smaller than 44 × 44 px on a phone').toBe('')
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
        const unit = await longestUnitBar(page)
        expect(unit.longest.length, 'a name too long for the axis').toBeGreaterThan(8)
        await page.touchscreen.tap(unit.x, unit.y)
        await page.waitForTimeout(400)
        expect(await unit.chart.innerText()).toContain(unit.longest)
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
        expect(await smallTargets(page, '.el-dialog'), '新建用户: its fields and footer buttons').toEqual([])
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
        expect(await smallTargets(page, '.el-dialog[data-test=question-editor]'), 'the question editor').toEqual([])
        await shot(page, 'console-phone-admin-question-editor')
      }
      await context.close()
    }, 240_000)
  }
})
