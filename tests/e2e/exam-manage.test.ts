// Issue 13 items 8–10 on a 1366 px (and 1440 px) desktop and a 390 px phone: a window already
// closed is warned about and 立即开始 fills a window from now; staff withdraw an exam nobody started
// and archive one that people took; the wizard's preview is the real exam screen; 题库's 操作
// column stays on screen; 每日答题 says 已完成 once today's quiz is done; the chosen option is
// unmistakable; the 考试须知 keep their numbers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
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
  callApi,
  tokenFor,
} from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

let server: E2EServer
let browser: Browser
let admin: string
let branchId: number

beforeAll(async () => {
  server = await startServer()
  browser = await launchBrowser()
  admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  branchId = (await apiJson(server, 'GET', '/api/orgs', admin)).find((o: any) => o.name === '办公室党支部').id
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const inputOf = (page: Page, test: string) =>
  page.locator(`input[data-test=${test}], textarea[data-test=${test}], [data-test=${test}] input, [data-test=${test}] textarea`).first()
const pickerText = (d: Date) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d)
const newExam = (title: string, opensInMs = -60_000) =>
  createOpenExam(server, admin, {
    title,
    opensAt: new Date(Date.now() + opensInMs).toISOString(),
    durationMinutes: 20,
    audienceOrgIds: [branchId],
    passScore: 0,
    paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
  })

async function adminDesk(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', serviceWorkers: 'block' })
  const page = await context.newPage()
  await loginAs(page, server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
  await page.waitForURL(/\/console/)
  return { context, page }
}

describe('exam management', () => {
  it('8. a window already closed is warned about; 立即开始 opens it now; the preview is the real exam screen (9)', async () => {
    const { context, page } = await adminDesk()
    await page.goto(`${server.baseUrl}/console/exams/new`)
    await inputOf(page, 'exam-title').fill('窗口检查')
    for (const [test, when] of [
      ['exam-opens', new Date(Date.now() - 3 * 3_600_000)],
      ['exam-closes', new Date(Date.now() - 3_600_000)],
    ] as const) {
      const input = inputOf(page, test)
      await input.click()
      await input.fill(pickerText(when))
      await input.press('Enter')
    }
    await inputOf(page, 'exam-title').click()
    await expect.poll(() => page.locator('[data-test=exam-past-window]').innerText()).toContain('结束时间已经过去')
    await shot(page, 'exam-manage-8-past-window')
    await page.locator('[data-test=exam-start-now]').click()
    expect(await page.locator('[data-test=exam-past-window]').count()).toBe(0)
    const opens = await inputOf(page, 'exam-opens').inputValue()
    expect(Math.abs(new Date(opens.replace(' ', 'T') + ':00+08:00').getTime() - Date.now())).toBeLessThan(2 * 60_000)

    // Through the wizard to the preview: the real QuestionView (radio semantics) in the phone frame.
    await page.locator('[data-test=wizard-next]').click()
    await page
      .locator('[data-test=audience-tree] .el-tree-node__content', { hasText: '办公室党支部' })
      .first()
      .locator('.el-checkbox')
      .first()
      .click()
    await page.locator('[data-test=wizard-next]').click()
    await page.locator('[data-test=wizard-next]').click()
    await expect.poll(() => page.locator('[data-test=sample-progress]').innerText()).toMatch(/^第 1 题 \/ 共 \d+ 题$/)
    const frame = page.locator('[data-test=sample-paper]')
    await expect.poll(() => frame.locator('.question').count()).toBe(1)
    expect(await frame.getByRole('radio').count()).toBeGreaterThanOrEqual(2)
    await frame.locator('.option').first().click()
    await expect.poll(() => frame.locator('.option.on').count()).toBe(1)
    expect(await frame.locator('[data-test=open-card], .footer').innerText()).toContain('答题卡 1/')
    await shot(page, 'exam-manage-9-preview-real-screen')
    await context.close()
  })

  it('8. staff withdraw an exam nobody started and archive one that people took; members stop seeing both', async () => {
    const unused = await newExam('未开考可撤回', 3_600_000 / 2)
    const taken = await newExam('已有人作答可归档')
    const member = await tokenFor(server, 'dy0001', DEMO_PASSWORD)
    const a = await apiJson(server, 'POST', `/api/exams/${taken.id}/attempts`, member, {})
    await apiJson(server, 'POST', `/api/attempts/${a.attemptId}/submit`, member, {})

    const { context, page } = await adminDesk()
    await page.goto(`${server.baseUrl}/console/exams`)
    await expect.poll(() => page.locator(`[data-test=exam-withdraw-${unused.id}]`).isVisible()).toBe(true)
    expect(await page.locator(`[data-test=exam-withdraw-${taken.id}]`).count()).toBe(0) // someone started it
    await shot(page, 'exam-manage-8-list-actions')
    await page.locator(`[data-test=exam-withdraw-${unused.id}]`).click()
    await expect.poll(() => page.locator('.el-message-box').innerText()).toContain('撤回')
    await page.locator('.el-message-box .el-button--primary').click()
    await expect.poll(() => page.locator('[data-test=exams-table]').innerText()).not.toContain('未开考可撤回')
    expect((await callApi(server, 'GET', `/api/exams/${unused.id}`, admin)).status).toBe(404)

    await page.locator(`[data-test=exam-archive-${taken.id}]`).click()
    await page.locator('.el-message-box .el-button--primary').click()
    await expect.poll(() => page.locator('[data-test=exams-table]').innerText()).not.toContain('已有人作答可归档')
    await page.locator('[data-test=exams-show-archived]').click()
    await expect.poll(() => page.locator(`[data-test=exam-archived-${taken.id}]`).isVisible()).toBe(true)
    await shot(page, 'exam-manage-8-archived')
    const list = await apiJson(server, 'GET', '/api/exams', member)
    expect(list.map((e: any) => e.id)).not.toContain(taken.id)
    expect(list.map((e: any) => e.id)).not.toContain(unused.id)
    await context.close()
  })

  for (const width of [1366, 1440]) {
    it(`10. 题库's 操作 column is fully on screen at ${width} px`, async () => {
      const { context, page } = await adminDesk({ width, height: 850 })
      await page.goto(`${server.baseUrl}/console/questions`)
      const button = page
        .locator('[data-test=questions-table] .el-table__body-wrapper tr')
        .first()
        .locator('button', { hasText: '删除' })
        .last()
      await expect.poll(() => button.isVisible()).toBe(true)
      const box = (await button.boundingBox())!
      expect(box.x).toBeGreaterThan(0)
      expect(box.x + box.width).toBeLessThanOrEqual(width)
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
      await shot(page, `exam-manage-10-questions-${width}`)
      await context.close()
    })
  }

  it('10. 每日答题 says 已完成 once today’s quiz is answered (even with a wrong answer); the chosen option is unmistakable', async () => {
    const token = await tokenFor(server, 'dy0010', DEMO_PASSWORD)
    const set = await apiJson(server, 'GET', '/api/study/quiz/daily', token)
    for (const [i, q] of set.questions.entries()) {
      const wrong = i === 0
      const answer =
        q.type === 'judge'
          ? !wrong
          : q.type === 'single'
            ? q.options[wrong ? 1 : 0].key
            : q.type === 'multiple'
              ? [q.options[0].key]
              : Array(q.blanks ?? 1).fill('x')
      await apiJson(server, 'POST', '/api/study/answers', token, { mode: 'daily', questionId: q.id, answer, elapsedMs: 5000 })
    }
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', serviceWorkers: 'block' })
    const page = await context.newPage()
    await loginAs(page, server.baseUrl, 'dy0010', DEMO_PASSWORD)
    await page.waitForURL(`${server.baseUrl}/`)
    await expect.poll(() => page.locator('[data-test=rule-daily_quiz] .action').innerText()).toBe('已完成')
    await shot(page, 'exam-manage-10-daily-done')

    // The chosen option: a thick red frame and a tinted ground, the mark filled.
    const exam = await newExam('选中样式')
    await startFromIntro(page, server.baseUrl, exam.id)
    await page.locator('[data-test=judge-true]').click()
    const chosen = await page.locator('[data-test=judge-true]').evaluate((el) => {
      const s = getComputedStyle(el)
      return { border: s.borderTopColor, width: s.borderTopWidth, bg: s.backgroundColor }
    })
    const other = await page.locator('[data-test=judge-false]').evaluate((el) => {
      const s = getComputedStyle(el)
      return { border: s.borderTopColor, bg: s.backgroundColor }
    })
    expect(chosen.border).toBe('rgb(200, 22, 29)')
    expect(parseFloat(chosen.width)).toBeGreaterThanOrEqual(2)
    expect(chosen.bg).not.toBe(other.bg)
    await shot(page, 'exam-manage-10-selected-option')
    await context.close()
  })
})
