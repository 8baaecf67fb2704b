// A member on a phone hears of an exam the moment the notice goes out: the bell counts it, a banner
// says it, the list shows "考试即将开始", and tapping it opens the exam. The server's clock is moved
// instead of waiting half an hour; the notice job is the one every node runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import {
  PHONE,
  api as apiJson,
  createOpenExam,
  launchBrowser,
  loginAs,
  shot,
  startServer,
  tokenFor,
  type E2EServer,
} from '../helpers/browser.js'
import { ManualClock } from '../../server/lib/clock.js'
import { runNotificationJob } from '../../server/modules/notifications/index.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const clock = new ManualClock(new Date())
let server: E2EServer
let browser: Browser
const api = (method: string, path: string, token: string | null, body?: unknown) => apiJson(server, method, path, token, body)

beforeAll(async () => {
  server = await startServer(clock)
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

describe('notifications on a phone', () => {
  it('an "exam opens soon" notice arrives live and opens the exam', async () => {
    const admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const orgs = await api('GET', '/api/orgs', admin)
    const branch = orgs.find((o: any) => o.name === '办公室党支部')
    const exam = await createOpenExam(server, admin, {
      title: '党史知识集中测试（提醒）',
      opensAt: new Date(clock.now().getTime() + 40 * 60_000).toISOString(),
      closesAt: new Date(clock.now().getTime() + 160 * 60_000).toISOString(),
      audienceOrgIds: [branch.id],
      passScore: 60,
      shuffleQuestions: true,
      shuffleOptions: true,
      paper: { rules: [{ type: 'judge', count: 5, scoreEach: 20 }] },
    })

    const page = await browser.newPage({ viewport: PHONE })
    await loginAs(page, server.baseUrl, 'dy0003', DEMO_PASSWORD)
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await page
      .locator('[data-test=privacy-agree]')
      .click({ timeout: 5_000 })
      .catch(() => {
        /* no notice for her */
      })
    const bell = page.locator('[data-test=notification-bell]')
    // The live connection opens shortly after the page is drawn.
    await expect.poll(() => bell.getAttribute('data-live'), { timeout: 10_000 }).toBe('true')

    await runNotificationJob(server.app.deps) // the exam is announced
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 5_000 }).toBe('通知，1 条未读')

    clock.advance(11 * 60_000) // 29 minutes before it opens
    await runNotificationJob(server.app.deps)
    await expect
      .poll(
        () =>
          page
            .locator('.notification-banner')
            .innerText()
            .catch(() => ''),
        { timeout: 5_000 },
      )
      .toContain('考试即将开始')
    const banner = page.locator('.notification-banner')
    await expect.poll(async () => (await banner.boundingBox())?.y).toBe(0) // slid in
    await shot(page, 'phone-notification-arrived')
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 5_000 }).toBe('通知，2 条未读')

    // The banner lies over the header: tapping it opens the list, and it goes away.
    await banner.click()
    await page.waitForURL(/\/notifications$/)
    await expect.poll(() => banner.isVisible()).toBe(false)
    await page.goBack()
    // With the banner gone, the bell (under where it lay) opens the same list.
    await bell.click()
    await page.waitForURL(/\/notifications$/)
    const opening = page.locator('[data-test=notification-exam_opening]')
    await expect.poll(() => opening.innerText()).toContain('党史知识集中测试（提醒）')
    await shot(page, 'phone-notifications')
    await opening.click()
    await page.waitForURL(new RegExp(`/exams/${exam.id}$`))
    await page.goBack()
    await expect.poll(() => bell.count()).toBe(0) // the list page has no bell; the count lives in the store
    const unread = await api('GET', '/api/notifications/unread-count', await tokenFor(server, 'dy0003', DEMO_PASSWORD))
    expect(unread).toEqual({ unread: 1 })
    await page.close()
  })
})
