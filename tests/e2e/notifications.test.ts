// A member on a phone hears of an exam the moment the notice goes out: the bell counts it, a banner
// says it, the list shows "考试即将开始", and tapping it opens the exam. The server's clock is moved
// instead of waiting half an hour; the notice job is the one every node runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import {
  PHONE,
  answerPrivacyNotice,
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

/** An exam for 办公室党支部 that opens in 40 minutes; the notice job announces it to the branch. */
async function examForOffice(title: string) {
  const admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const branch = (await api('GET', '/api/orgs', admin)).find((o: any) => o.name === '办公室党支部')
  return createOpenExam(server, admin, {
    title,
    opensAt: new Date(clock.now().getTime() + 40 * 60_000).toISOString(),
    closesAt: new Date(clock.now().getTime() + 160 * 60_000).toISOString(),
    audienceOrgIds: [branch.id],
    passScore: 60,
    shuffleQuestions: true,
    shuffleOptions: true,
    paper: { rules: [{ type: 'judge', count: 5, scoreEach: 20 }] },
  })
}

/** Signs in on the login form, answers the privacy notice if shown, and waits for the bell to go live. */
async function signInLive(page: Page, username: string) {
  await page.locator('[data-test=username] input').fill(username)
  await page.locator('[data-test=password] input').fill(DEMO_PASSWORD)
  await page.locator('[data-test=login-submit]').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  await answerPrivacyNotice(page)
  await expect.poll(() => page.locator('[data-test=notification-bell]').getAttribute('data-live'), { timeout: 10_000 }).toBe('true')
}

/** Signs out from 我的 as a member does, and waits for the login page (the same tab, not reloaded). */
async function signOutFromMe(page: Page) {
  await page.locator('[data-test=tab-me]').click()
  await page.locator('[data-test=logout]').click()
  await page.locator('.van-dialog__confirm').click()
  await page.waitForURL(/\/login$/)
}

/** The bell's unread count as it reads it out. */
const unreadOnBell = async (page: Page) =>
  Number((await page.locator('[data-test=notification-bell]').getAttribute('aria-label'))?.match(/(\d+) 条未读/)?.[1] ?? 0)

describe('notifications on a phone', () => {
  it('an "exam opens soon" notice arrives live and opens the exam', async () => {
    const exam = await examForOffice('党史知识集中测试（提醒）')

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

  it('on a shared phone, the next member to sign in in the same tab gets her notices live', async () => {
    // A branch office's shared phone or PC: one member signs out from 我的, the next signs in without
    // the page being reloaded. Her bell must go live on a connection of her own and hear her notices.
    const page = await browser.newPage({ viewport: PHONE })
    const bell = page.locator('[data-test=notification-bell]')
    await page.goto(`${server.baseUrl}/login`)
    await signInLive(page, 'dy0005')

    await signOutFromMe(page)
    await signInLive(page, 'dy0006') // the same tab, not reloaded
    const before = await unreadOnBell(page)

    await examForOffice('党史知识集中测试（换人登录）')
    await runNotificationJob(server.app.deps) // announced to the branch: pushed to whoever is connected
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 5_000 }).toBe(`通知，${before + 1} 条未读`)
    await page.close()
  })

  it("on a shared phone, the next member does not glimpse the last one's unread count while hers loads", async () => {
    const page = await browser.newPage({ viewport: PHONE })
    const bell = page.locator('[data-test=notification-bell]')
    await page.goto(`${server.baseUrl}/login`)
    await signInLive(page, 'dy0012')
    await examForOffice('党史知识集中测试（不留给下一位）')
    await runNotificationJob(server.app.deps) // announced to 办公室党支部: dy0012 has unread notices
    await expect.poll(() => unreadOnBell(page), { timeout: 5_000 }).toBeGreaterThan(0)

    await signOutFromMe(page)
    // The next member's own count is held back, as on a slow network: until it comes, her bell
    // must not show what it showed for the last person.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    await page.route('**/api/notifications/unread-count', async (route) => {
      await held
      await route.continue()
    })
    await signInLive(page, 'dy0015') // 政策法规处党支部: none of the office's notices are hers
    expect(await bell.getAttribute('aria-label')).toBe('通知')
    release()
    const own = await apiJson(server, 'GET', '/api/notifications/unread-count', await tokenFor(server, 'dy0015', DEMO_PASSWORD))
    await expect.poll(() => unreadOnBell(page)).toBe(own.unread)
    await page.close()
  })

  it('a member whose password expires while the page is open changes it, and her notices are live again', async () => {
    const page = await browser.newPage({ viewport: PHONE })
    const bell = page.locator('[data-test=notification-bell]')
    await page.goto(`${server.baseUrl}/login`)
    await signInLive(page, 'dy0007')

    // Her password is 100 days old and the admin sets a 90-day limit: the server ends her socket and
    // refuses it again (PASSWORD_CHANGE_REQUIRED) until she has changed the password.
    await server.app.db
      .updateTable('users')
      .set({ password_changed_at: new Date(clock.now().getTime() - 100 * 86_400_000) })
      .where('username', '=', 'dy0007')
      .execute()
    const admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await api('PATCH', '/api/policy', admin, { passwordMaxDays: 90 })
    try {
      await expect.poll(() => bell.getAttribute('data-live'), { timeout: 15_000 }).toBe('false')
      await page.locator('[data-test=tab-study]').click() // her next request meets the rule and takes her to change it
      await page.waitForURL(/\/password$/)
      const fresh = 'Hongqi-Qu-2026'
      await page.locator('[data-test=current-password] input').fill(DEMO_PASSWORD)
      await page.locator('[data-test=new-password] input').fill(fresh)
      await page.locator('[data-test=repeat-password] input').fill(fresh)
      await page.locator('[data-test=password-submit]').click()
      await page.waitForURL(`${server.baseUrl}/`)
      await expect.poll(() => bell.getAttribute('data-live'), { timeout: 10_000 }).toBe('true')
    } finally {
      await api('PATCH', '/api/policy', admin, { passwordMaxDays: 0 })
    }
    const before = await unreadOnBell(page)
    await examForOffice('党史知识集中测试（改密码后）')
    await runNotificationJob(server.app.deps)
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 5_000 }).toBe(`通知，${before + 1} 条未读`)
    await page.close()
  })
})
