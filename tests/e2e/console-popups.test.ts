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
const IPAD = { width: 768, height: 1024 }
const NARROW_PHONE = { width: 360, height: 740 }

/** The pop-up panel that is open now (element-plus keeps closed ones in <body>, hidden). */
const OPEN = '.el-popper:not([aria-hidden=true])'

/** Taps `opener` and waits for `item` to show in the open pop-up; returns those items. */
async function open(page: Page, opener: Locator, item: string) {
  await opener.tap()
  const items = page.locator(`${OPEN} ${item}`)
  await items.first().waitFor()
  await page.waitForTimeout(300) // the pop-up's fade-in
  return items
}

/** What of the open pop-up is smaller than 44 × 44 px, sticks out of the screen or is cut off; photographs it. */
async function measureOpen(page: Page, name: string) {
  const small = (await smallTargets(page, OPEN)).map((t) => `${name}: ${t}`)
  // The pop-up and its panel (a panel wider than the room beside its opener overflows the pop-up's
  // box) within the screen: the layout viewport, as a phone zooms out to show what is too wide.
  const out = await page.locator(OPEN).evaluateAll((els) => {
    const vw = Math.min(window.innerWidth, document.documentElement.clientWidth)
    return els
      .flatMap((e) => [e, ...e.querySelectorAll(':scope > :not(.el-popper__arrow)')])
      .map((e) => e.getBoundingClientRect())
      .filter((r) => r.width > 0 && (r.left < 0 || r.right > vw))
      .map((r) => `from ${Math.round(r.left)} to ${Math.round(r.right)} px of ${vw}`)
  })
  // Its inputs (a picker's date and time) show what they hold whole.
  const cut = await page
    .locator(`${OPEN} input`)
    .evaluateAll((els) =>
      (els as HTMLInputElement[]).filter((e) => e.offsetParent && e.value && e.scrollWidth > e.clientWidth + 1).map((e) => e.value),
    )
  await shot(page, `console-popup-${name}`)
  return [...small, ...out.map((o) => `${name}: the pop-up runs ${o}`), ...cut.map((v) => `${name}: “${v}” is cut off`)]
}

async function close(page: Page) {
  await page.keyboard.press('Escape')
  await page
    .locator(OPEN)
    .first()
    .waitFor({ state: 'hidden' })
    .catch(() => {})
}

const shownCount = (items: Locator) => items.evaluateAll((els) => els.filter((e) => e.getBoundingClientRect().height > 0).length)

describe('pop-up panels on a tablet (820 px, touch)', () => {
  it("a select's options, a menu's items and a tree select's rows are 44 px for a finger", async () => {
    const { server, browser } = env
    const { context, page } = await openTouchContext(browser, server.baseUrl, TABLET, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const small: string[] = []
    const shown: Record<string, number> = {}
    const measure = async (opener: Locator, item: string, name: string) => {
      shown[name] = await shownCount(await open(page, opener, item))
      small.push(...(await measureOpen(page, name)))
      await close(page)
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

describe('date pickers under a finger', () => {
  const EXAM_OPENS = '[data-test=exam-opens] input'
  const STATS_RANGE = '[data-test=stats] .el-range-editor input >> nth=0'
  const AUDIT_RANGE = '.el-range-editor input >> nth=0'
  const CAMPAIGN_RANGE = '[data-test=campaign] .toolbar .el-range-editor input >> nth=0'
  // The time's input, which opens its hours and minutes: a date picker's second input, a range's start time.
  const EXAM_TIME = '.el-date-picker__editor-wrap >> nth=1 >> input'
  const RANGE_TIME = '.el-date-range-picker__time-picker-wrap >> nth=1 >> input'
  // The exam wizard's 开考时间 (a date and a time), 统计's 日期范围 (on a tablet two months, its
  // shortcuts beside them at 820 px and above them at 768; on a phone one month), 审计日志's
  // (dates and times: two months on a tablet, one on a phone) and 五学台账's (dates, as 统计's).
  const pickers = [
    { size: TABLET, name: '820-exam-opens', path: '/console/exams/new', opener: EXAM_OPENS, days: 42, time: EXAM_TIME },
    { size: TABLET, name: '820-stats-range', path: '/console/stats', opener: STATS_RANGE, days: 84, time: '' },
    { size: IPAD, name: '768-stats-range', path: '/console/stats', opener: STATS_RANGE, days: 84, time: '' },
    { size: TABLET, name: '820-audit-range', path: '/console/audit', opener: AUDIT_RANGE, days: 84, time: RANGE_TIME },
    { size: NARROW_PHONE, name: '360-exam-opens', path: '/console/exams/new', opener: EXAM_OPENS, days: 42, time: EXAM_TIME },
    { size: NARROW_PHONE, name: '360-stats-range', path: '/console/stats', opener: STATS_RANGE, days: 42, time: '' },
    { size: NARROW_PHONE, name: '360-audit-range', path: '/console/audit', opener: AUDIT_RANGE, days: 42, time: RANGE_TIME },
    { size: TABLET, name: '820-campaign-range', path: '/console/campaign', opener: CAMPAIGN_RANGE, days: 84, time: '' },
    { size: NARROW_PHONE, name: '360-campaign-range', path: '/console/campaign', opener: CAMPAIGN_RANGE, days: 42, time: '' },
  ]
  it("on a tablet and a 360 px phone the calendar's days, its arrows and the time's hours and minutes are 44 px, and the calendar fits the screen", async () => {
    const { server, browser } = env
    const { context, page } = await openTouchContext(browser, server.baseUrl, TABLET, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const small: string[] = []
    for (const p of pickers) {
      await page.setViewportSize(p.size)
      await page.goto(`${server.baseUrl}${p.path}`)
      await settle(page)
      const days = await open(page, page.locator(p.opener), '.el-date-table__row > td')
      // A month is six weeks of days.
      expect.soft(await shownCount(days), `${p.name}: the days shown`).toBe(p.days)
      small.push(...(await measureOpen(page, p.name)))
      if (p.time) {
        const time = page.locator(`${OPEN} ${p.time}`)
        const hours = await open(page, time, '.el-time-spinner__item')
        expect(await shownCount(hours)).toBeGreaterThan(24) // 24 hours and 60 minutes
        small.push(...(await measureOpen(page, `${p.name}-time`)))
        // The taller rows still pick the hour they show (element-plus reads a row's height to scroll).
        await hours.filter({ hasText: /^10$/ }).first().tap()
        await expect.poll(() => time.inputValue()).toMatch(/^10:/)
      }
      await close(page)
    }
    expect(small, 'date picker parts smaller than 44 × 44 px, pickers that do not fit the screen, inputs cut off').toEqual([])
    await context.close()
  }, 120_000)
})
