// The console's pop-up panels under a finger: what a select, a menu, a tree select or a date picker
// opens is teleported to <body>, out of the page the page tests measure, and only there while it is
// open. Here each is opened on an iPad Air upright (820 px, touch) and its items measured with the
// same rule as the pages (smallTargets: 44 × 44 px at the least), and the date pickers on a 360 px
// phone too. The pages themselves: console-tablet.test.ts and console-phone.test.ts.
import { describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { openTouchContext, shot } from '../helpers/browser.js'
import { settle, smallTargets, useConsoleServer } from '../helpers/console-pages.js'
import { DEMO_ADMIN } from '../../server/seed/demo.js'

const env = useConsoleServer()
const TABLET = { width: 820, height: 1180 }

/** The pop-up panel that is open now (element-plus keeps closed ones in <body>, hidden). */
const OPEN = '.el-popper:not([aria-hidden=true])'

/**
 * Taps `opener`, waits for `item` to show in the open pop-up, and returns what of the pop-up is
 * smaller than 44 × 44 px (smallTargets) and how many `item`s it shows; closes it again.
 */
async function openAndMeasure(page: Page, opener: Locator, item: string, name: string) {
  await opener.tap()
  const items = page.locator(`${OPEN} ${item}`)
  await items.first().waitFor()
  await page.waitForTimeout(300) // the pop-up's fade-in
  const small = (await smallTargets(page, OPEN)).map((t) => `${name}: ${t}`)
  const shown = await items.evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().height > 0).length)
  await shot(page, `console-popup-${name}`)
  await page.keyboard.press('Escape')
  await page
    .locator(OPEN)
    .first()
    .waitFor({ state: 'hidden' })
    .catch(() => {})
  return { small, shown }
}

describe('pop-up panels on a tablet (820 px, touch)', () => {
  it("a select's options, a menu's items and a tree select's rows are 44 px for a finger", async () => {
    const { server, browser } = env
    const { context, page } = await openTouchContext(browser, server.baseUrl, TABLET, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const small: string[] = []
    const shown: Record<string, number> = {}
    const measure = async (opener: Locator, item: string, name: string) => {
      const r = await openAndMeasure(page, opener, item, name)
      small.push(...r.small)
      shown[name] = r.shown
    }

    await page.goto(`${server.baseUrl}/console/questions`)
    await settle(page)
    // 题库's 题型 filter (a select), its 导出 ▾ menu and the pager's 20 条/页 (a select in the pager).
    await measure(page.locator('[data-test=questions-type]'), '.el-select-dropdown__item', 'questions-type')
    await measure(page.locator('[data-test=questions-export]'), '.el-dropdown-menu__item', 'questions-export')
    await measure(page.locator('.el-pagination .el-select'), '.el-select-dropdown__item', 'questions-page-size')
    // 统计's unit (a tree select: a tree in its pop-up).
    await page.goto(`${server.baseUrl}/console/stats`)
    await settle(page)
    await measure(page.locator('.el-select[data-test=stats-org]'), '.el-tree-node__content', 'stats-org')

    expect(small, 'pop-up items smaller than 44 × 44 px').toEqual([])
    // Each pop-up really showed its items: 4 question types (and 清除 is not an item), 2 formats, 4 page sizes, the units.
    expect(shown['questions-type']).toBeGreaterThanOrEqual(4)
    expect(shown['questions-export']).toBe(2)
    expect(shown['questions-page-size']).toBe(4)
    expect(shown['stats-org']).toBeGreaterThan(3)
    await context.close()
  }, 120_000)
})
