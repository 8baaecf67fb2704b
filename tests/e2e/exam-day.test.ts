// Issue 13, exam day (items 1–7 and 12) as a member and a secretary live it, on a 390 px and a
// 320 px phone and a 1366 px desktop. Screenshots: tests/.artifacts/screenshots/exam-day-*.png
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import {
  startFromIntro,
  DESKTOP,
  PHONE,
  launchBrowser,
  loginAs,
  shot,
  startServer,
  type E2EServer,
  api as apiJson,
  createOpenExam,
  tokenFor,
} from '../helpers/browser.js'
import { tabTo as tabToControl } from '../helpers/keyboard.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const SMALL_PHONE = { width: 320, height: 640 }
let server: E2EServer
let browser: Browser
let admin: string
let branchId: number
let seq = 0

beforeAll(async () => {
  server = await startServer()
  browser = await launchBrowser()
  admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const orgs = await apiJson(server, 'GET', '/api/orgs', admin)
  branchId = orgs.find((o: any) => o.name === '办公室党支部').id
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function newExam(opts: { opensInMs?: number; title?: string } = {}) {
  const now = Date.now()
  return createOpenExam(server, admin, {
    title: opts.title ?? `考试日测试 ${++seq}`,
    opensAt: new Date(now + (opts.opensInMs ?? -60_000)).toISOString(),
    audienceOrgIds: [branchId],
    passScore: 30,
    paper: {
      rules: [
        { type: 'judge', count: 2, scoreEach: 20 },
        { type: 'single', count: 2, scoreEach: 20 },
        { type: 'multiple', count: 1, scoreEach: 20 },
      ],
    },
  })
}

/** A phone context for one member; collects uncaught errors and console errors. */
async function phoneAs(username: string, viewport = PHONE): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true, locale: 'zh-CN', serviceWorkers: 'block' })
  const page = await context.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`))
  // A refused request is logged by the browser itself ("Failed to load resource"): that is the test's doing.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|net::ERR_/.test(m.text())) errors.push(`console: ${m.text()}`)
  })
  await loginAs(page, server.baseUrl, username, DEMO_PASSWORD)
  await page.waitForURL(`${server.baseUrl}/`)
  return { context, page, errors }
}

const attemptRow = (examId: number, username: string) =>
  server.app.db
    .selectFrom('attempts')
    .innerJoin('users', 'users.id', 'attempts.user_id')
    .select(['attempts.id', 'blur_count', 'reload_count'])
    .where('exam_id', '=', examId)
    .where('users.username', '=', username)
    .executeTakeFirstOrThrow()

describe('exam day', () => {
  it('1. reloads are not 切屏: three reloads count as reloads, a real page-hide counts once, and staff see both apart', async () => {
    const exam = await newExam()
    const { context, page } = await phoneAs('dy0002')
    await startFromIntro(page, server.baseUrl, exam.id)
    for (let i = 0; i < 3; i++) {
      await page.reload()
      await expect.poll(() => page.locator('[data-test=open-card]').isVisible()).toBe(true)
    }
    await expect.poll(async () => (await attemptRow(exam.id, 'dy0002')).reload_count).toBe(3)
    expect((await attemptRow(exam.id, 'dy0002')).blur_count).toBe(0)
    // The member switches to another app: the page is hidden once.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await expect.poll(async () => (await attemptRow(exam.id, 'dy0002')).blur_count).toBe(1)
    expect((await attemptRow(exam.id, 'dy0002')).reload_count).toBe(3)
    await context.close()

    // The secretary's monitor shows 切屏 1 (no warning) and 刷新 3 in its own column.
    const desk = await browser.newPage({ viewport: DESKTOP })
    await loginAs(desk, server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await desk.waitForURL(/\/console/)
    await desk.goto(`${server.baseUrl}/console/monitor?examId=${exam.id}`)
    const row = desk.locator('.el-table__row', { hasText: '答题中' }).first()
    await expect.poll(() => row.locator('[data-test=reload-count]').innerText()).toBe('3')
    expect(await desk.locator('[data-test=blur-warning]').count()).toBe(0)
    await shot(desk, 'exam-day-1-monitor-reloads-desktop')
    await desk.close()
  })

  it('2. the open exam is the first thing on 首页 and badges 考试 (390 and 320 px), and so is one opening within the hour', async () => {
    const open = await newExam({ title: '今日党史测试（进行中）' })
    for (const viewport of [PHONE, SMALL_PHONE]) {
      const { context, page } = await phoneAs('dy0003', viewport)
      const banner = page.locator('[data-test=home-exam-banner]')
      await expect.poll(() => banner.innerText()).toContain('今日党史测试（进行中）')
      const box = (await banner.boundingBox())!
      expect(box.y + box.height).toBeLessThan(viewport.height * 0.5) // above the fold, before the points tasks
      expect(box.x + box.width).toBeLessThanOrEqual(viewport.width)
      await expect.poll(() => page.locator('[data-test=tab-exams] .van-badge').innerText()).toMatch(/^\d+$/)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width)
      // The closing time breaks as a whole; at 320 px the button goes under the title, full width,
      // so the title is not squeezed into short lines beside it.
      expect(await banner.locator('.when .nowrap').evaluate((e) => e.getClientRects().length)).toBe(1)
      const [title, go] = [(await banner.locator('strong').boundingBox())!, (await banner.locator('.go').boundingBox())!]
      if (viewport.width < 360) expect(go.y).toBeGreaterThanOrEqual(title.y + title.height)
      else expect(go.x).toBeGreaterThan(title.x + title.width - 1)
      await shot(page, `exam-day-2-home-banner-${viewport.width}`)
      await banner.click()
      await page.waitForURL(new RegExp(`/exams/${open.id}$`))
      await context.close()
    }
    // Another member of the branch, with an exam opening in 40 minutes only (the open one already taken).
    const soon = await newExam({ title: '四十分钟后开考', opensInMs: 40 * 60_000 })
    const { context, page } = await phoneAs('dy0004')
    await expect.poll(() => page.locator('[data-test=home-exam-banner]').innerText()).toMatch(/今日党史测试|四十分钟后开考/)
    const texts = await page.locator('[data-test=tab-exams] .van-badge').innerText()
    expect(Number(texts)).toBeGreaterThanOrEqual(2)
    await context.close()
    expect(soon.id).toBeGreaterThan(0)
  })

  it('3 and 4. leaving asks 继续作答 / 离开 and says the timer runs on; the intro shows the time left; a reload keeps the question and the marks', async () => {
    const exam = await newExam()
    const { context, page, errors } = await phoneAs('dy0005')
    await startFromIntro(page, server.baseUrl, exam.id)
    await page.locator('[data-test=next]').click()
    await page.locator('[data-test=next]').click()
    await page.locator('[data-test=mark]').click()
    await expect.poll(() => page.locator('[data-test=mark]').innerText()).toContain('取消标记')
    await page.locator('[data-test=option-A]').click()
    await expect.poll(() => page.locator('[data-test=save-state]').innerText()).toBe('已保存')

    // 4: reload — still question 3, still marked, the card still shows the flag.
    await page.reload()
    await expect.poll(() => page.locator('.question .progress').innerText()).toContain('第 3 题')
    await expect.poll(() => page.locator('[data-test=mark]').innerText()).toContain('取消标记')
    await page.locator('[data-test=open-card]').click()
    await expect.poll(() => page.locator('[data-test=card-3]').getAttribute('class')).toMatch(/flag/)
    await shot(page, 'exam-day-4-card-after-reload')
    // Its close button has a name a screen reader says (vant's own × had none).
    await page.getByRole('button', { name: '关闭', exact: true }).click()
    await expect.poll(() => page.locator('[data-test=answer-card]').isVisible()).toBe(false)

    // 3: the back arrow asks, and says the clock keeps running.
    await page.locator('.van-nav-bar__left').click()
    const dialog = page.locator('.van-dialog')
    await expect.poll(() => dialog.innerText()).toContain('计时不会暂停')
    expect(await dialog.locator('.van-dialog__confirm').innerText()).toContain('继续作答')
    expect(await dialog.locator('.van-dialog__cancel').innerText()).toContain('离开')
    await shot(page, 'exam-day-3-leave-dialog')
    await dialog.locator('.van-dialog__confirm').click()
    expect(page.url()).toMatch(/\/take$/)
    await page.locator('.van-nav-bar__left').click()
    await page.locator('.van-dialog__cancel').click()
    await page.waitForURL(new RegExp(`/exams/${exam.id}$`))
    await expect.poll(() => page.locator('[data-test=intro-time-left]').innerText()).toMatch(/^(29|30):\d\d$/)
    expect(await page.locator('[data-test=intro-attempts]').innerText()).toContain('正在进行第 1 次作答')
    expect(await page.locator('[data-test=exam-go]').innerText()).toContain('继续答题')
    // The 考试须知 keep their numbers.
    expect(
      await page
        .locator('[data-test=intro-rules] li')
        .first()
        .evaluate((li) => getComputedStyle(li).listStyleType),
    ).toBe('decimal')
    await shot(page, 'exam-day-3-intro-time-left')
    // Resuming lands where she was.
    await page.locator('[data-test=exam-go]').click()
    await expect.poll(() => page.locator('.question .progress').innerText()).toContain('第 3 题')
    expect(errors).toEqual([])
    await context.close()
  })

  it('5. a secretary on a phone gets a 监控 that fits: counters, who has not started with 复制名单, top ten, per unit (390 and 320 px)', async () => {
    const exam = await newExam({ title: '手机监控测试' })
    const member = await tokenFor(server, 'dy0006', DEMO_PASSWORD)
    const a = await apiJson(server, 'POST', `/api/exams/${exam.id}/attempts`, member, {})
    await apiJson(server, 'POST', `/api/attempts/${a.attemptId}/submit`, member, {})
    for (const viewport of [PHONE, SMALL_PHONE]) {
      const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true, locale: 'zh-CN', serviceWorkers: 'block' })
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl })
      const page = await context.newPage()
      await loginAs(page, server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
      await page.waitForURL(`${server.baseUrl}/`)
      // The console's address on a phone hands over to the phone layout.
      await page.goto(`${server.baseUrl}/console/monitor?examId=${exam.id}`)
      await page.waitForURL(/\/\/[^/]+\/monitor\?examId=/)
      await expect.poll(() => page.locator('[data-test=phone-submitted]').innerText()).toBe('1')
      await expect.poll(() => page.locator('[data-test=phone-not-started]').innerText()).toMatch(/未开始人员（\d+）/)
      await expect.poll(() => page.locator('[data-test=phone-top]').innerText()).toContain('1')
      expect(await page.locator('[data-test=phone-units] .unit').count()).toBeGreaterThan(0)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width)
      await page.locator('[data-test=phone-copy]').click()
      await expect.poll(() => page.locator('.van-toast').innerText()).toContain('已复制')
      await shot(page, `exam-day-5-monitor-phone-${viewport.width}`)
      await context.close()
    }
    // Reachable from 我的 as well.
    const { context, page } = await phoneAs('sj_bgs')
    await page.locator('[data-test=tab-me]').click()
    await page.locator('[data-test=to-monitor-phone]').click()
    await page.waitForURL(/\/monitor/)
    await context.close()
  })

  it('6. network errors say in Chinese what happened; the exam screen says 离线，答案已保存在本机 and retries until saved', async () => {
    const exam = await newExam()
    const { context, page, errors } = await phoneAs('dy0007')
    // Saves go over the live socket while it is up; here it cannot connect (closed at once), so every
    // save takes the HTTP route, which the test cuts. (startFromIntro loads a new page: a new socket.)
    await page.routeWebSocket(/\/socket\.io\//, (ws) => ws.close())
    await page.route('**/socket.io/**', (route) => route.abort('internetdisconnected')) // no long-polling either
    await startFromIntro(page, server.baseUrl, exam.id)
    await page.route('**/api/attempts/*/answers/*', (route) => route.abort('internetdisconnected'))
    await page.locator('[data-test=judge-true]').click()
    await expect.poll(() => page.locator('[data-test=save-state]').innerText(), { timeout: 10_000 }).toBe('离线，答案已保存在本机')
    await expect.poll(() => page.locator('[data-test=offline-banner]').innerText()).toContain('答案已保存在本机')
    // The nav bar's label stays a line of text beside the countdown, not the banner's orange box
    // (it once took the banner's style and covered the time left).
    expect(await page.locator('[data-test=save-state]').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgba(0, 0, 0, 0)')
    expect(await page.locator('[data-test=countdown]').isVisible()).toBe(true)
    await shot(page, 'exam-day-6-offline')
    // A gateway error (the proxy answers 502 with HTML) reads the same way, never "HTTP 502".
    await page.unroute('**/api/attempts/*/answers/*')
    await page.route('**/api/attempts/*/answers/*', (route) =>
      route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>502 Bad Gateway</h1>' }),
    )
    await page.locator('[data-test=judge-false]').click()
    await expect.poll(() => page.locator('[data-test=save-state]').innerText(), { timeout: 10_000 }).toBe('离线，答案已保存在本机')
    await page.unroute('**/api/attempts/*/answers/*')
    await expect.poll(() => page.locator('[data-test=save-state]').innerText(), { timeout: 20_000 }).toBe('已保存')
    const row = await attemptRow(exam.id, 'dy0007')
    const saved = await server.app.db.selectFrom('attempt_answers').select('answer').where('attempt_id', '=', row.id).execute()
    expect(saved.map((s) => s.answer)).toEqual([false])
    const body = await page.locator('body').innerText()
    expect(body).not.toMatch(/Failed to fetch|HTTP \d{3}|NetworkError/)
    expect(errors).toEqual([])
    await context.close()

    // Logging in without a network says so in Chinese.
    const login = await browser.newPage({ viewport: PHONE })
    await login.route('**/api/auth/login', (route) => route.abort('internetdisconnected'))
    await loginAs(login, server.baseUrl, 'dy0007', DEMO_PASSWORD)
    await expect.poll(() => login.locator('body').innerText()).toContain('网络连接失败')
    expect(await login.locator('body').innerText()).not.toContain('Failed to fetch')
    await login.close()
  })

  it('7. intro and result pages show the reason and a way on for 404 and network errors, with no uncaught errors', async () => {
    const exam = await newExam()
    const { context, page, errors } = await phoneAs('dy0008')
    await page.goto(`${server.baseUrl}/exams/999999`)
    await expect.poll(() => page.locator('[data-test=intro-error]').innerText()).toContain('找不到这场考试')
    await shot(page, 'exam-day-7-intro-404')
    await page.locator('[data-test=intro-back]').click()
    await page.waitForURL(/\/exams$/)

    await page.route(`**/api/exams/${exam.id}`, (route) => route.abort('internetdisconnected'))
    await page.goto(`${server.baseUrl}/exams/${exam.id}`)
    await expect.poll(() => page.locator('[data-test=intro-error]').innerText()).toContain('网络连接失败')
    await shot(page, 'exam-day-7-intro-offline')
    await page.unroute(`**/api/exams/${exam.id}`)
    await page.locator('[data-test=intro-retry]').click()
    await expect.poll(() => page.locator('[data-test=exam-go]').isVisible()).toBe(true)

    await page.goto(`${server.baseUrl}/attempts/999999`)
    await expect.poll(() => page.locator('[data-test=attempt-error]').innerText()).toContain('找不到')
    await page.route('**/api/attempts/*', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: 'Bad Gateway' }))
    await page.goto(`${server.baseUrl}/attempts/1`)
    await expect.poll(() => page.locator('[data-test=attempt-error]').innerText()).toContain('服务器繁忙')
    await shot(page, 'exam-day-7-attempt-502')
    await page.unroute('**/api/attempts/*')

    // The exam page itself, when the exam is gone.
    await page.goto(`${server.baseUrl}/exams/999999/take`)
    await expect.poll(() => page.locator('[data-test=take-error]').innerText()).toContain('找不到')
    expect(await page.locator('body').innerText()).not.toContain('加载中')
    // Nothing was loaded, so nothing reads as saved and no clock runs.
    expect(await page.locator('[data-test=save-state]').count()).toBe(0)
    expect(await page.locator('[data-test=countdown]').count()).toBe(0)
    // A malformed link reads as one, with no 重试 that could never work.
    await page.goto(`${server.baseUrl}/exams/abc/take`)
    await expect.poll(() => page.locator('[data-test=take-error]').innerText()).toContain('链接有误')
    expect(await page.locator('[data-test=take-retry]').count()).toBe(0)
    expect(errors).toEqual([])
    await context.close()
  })

  it('12. the exam page works by keyboard alone, and options are real radio buttons and checkboxes with labels', async () => {
    const exam = await newExam()
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', serviceWorkers: 'block' })
    const page = await context.newPage()
    await loginAs(page, server.baseUrl, 'dy0009', DEMO_PASSWORD)
    await page.waitForURL(`${server.baseUrl}/`)
    await startFromIntro(page, server.baseUrl, exam.id)

    // Judge: two labelled radios.
    expect(await page.getByRole('radio', { name: /正确/ }).count()).toBe(1)
    expect(await page.getByRole('radio', { name: /错误/ }).count()).toBe(1)
    const tabTo = async (selector: string) => expect(await tabToControl(page, selector, 30), `reach ${selector} by Tab`).toBe(true)
    await tabTo('input[type=radio]')
    await page.keyboard.press('Space')
    await expect.poll(() => page.getByRole('radio', { name: /正确/ }).isChecked()).toBe(true)
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.getByRole('radio', { name: /错误/ }).isChecked()).toBe(true)
    await expect.poll(() => page.locator('[data-test=save-state]').innerText()).toBe('已保存')
    await tabTo('[data-test=next]')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Shift+Tab') // back into the page, then forward to the next question's options
    await tabTo('input[type=radio]')
    await page.keyboard.press('Space')
    await expect.poll(() => page.locator('.question .progress').innerText()).toContain('第 2 题')
    // Move to the multiple-choice question (5th) and tick two boxes by keyboard.
    for (let i = 0; i < 3; i++) {
      await tabTo('[data-test=next]')
      await page.keyboard.press('Enter')
    }
    await expect.poll(() => page.locator('.question .progress').innerText()).toContain('第 5 题')
    const boxes = page.getByRole('checkbox')
    expect(await boxes.count()).toBeGreaterThanOrEqual(3)
    await tabTo('input[type=checkbox]')
    await page.keyboard.press('Space')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Space')
    await expect.poll(async () => (await Promise.all((await boxes.all()).map((b) => b.isChecked()))).filter(Boolean).length).toBe(2)
    await shot(page, 'exam-day-12-keyboard-desktop')
    // The answer card: Enter opens it with the focus in it, Tab reaches question 1, Enter goes there
    // and the focus is back on 答题卡; opened again, Escape closes it, the focus again on 答题卡.
    const focusIn = (selector: string) => page.evaluate((s) => !!document.activeElement?.closest(s), selector)
    await tabTo('[data-test=open-card]')
    await page.keyboard.press('Enter')
    await expect.poll(() => focusIn('.answer-card-popup')).toBe(true)
    await tabTo('[data-test=card-1]')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator('.question .progress').innerText()).toContain('第 1 题')
    await expect.poll(() => focusIn('[data-test=open-card]')).toBe(true)
    await page.keyboard.press('Enter')
    await expect.poll(() => focusIn('.answer-card-popup')).toBe(true)
    await page.keyboard.press('Escape')
    // Once in CI (2026-12-07) the card stayed open after this Escape and did not fail again in
    // three runs since: on failure, say what the page's popups and focus were, for the next look.
    await expect
      .poll(() => page.locator('[data-test=answer-card]').isVisible())
      .toBe(false)
      .catch(async (err) => {
        console.log('[exam-day 12] after Escape:', JSON.stringify(await popupState(page)))
        throw err
      })
    await expect.poll(() => focusIn('[data-test=open-card]')).toBe(true)
    // Submit by keyboard from the card: Enter on its 交卷 opens the confirmation with the focus on it,
    // and the card closing behind it does not take the focus back; Enter confirms.
    await page.keyboard.press('Enter')
    await tabTo('[data-test=card-submit]')
    await page.keyboard.press('Enter')
    await expect.poll(() => focusIn('.van-dialog')).toBe(true)
    await expect.poll(() => page.locator('[data-test=answer-card]').isVisible()).toBe(false)
    expect(await focusIn('.van-dialog'), 'the confirmation keeps the focus once the card has closed').toBe(true)
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/attempts\/\d+/)
    await context.close()
  })
})

/** What a keyboard step saw: each vant popup and overlay (classes, shown, inert) and the focused element. */
const popupState = (page: Page) =>
  page.evaluate(() => ({
    focus: document.activeElement?.outerHTML.slice(0, 160) ?? null,
    popups: [...document.querySelectorAll<HTMLElement>('.van-popup, .van-overlay')].map((el) => ({
      class: el.className,
      shown: el.getClientRects().length > 0,
      inert: el.inert,
      zIndex: getComputedStyle(el).zIndex,
    })),
  }))
