import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, loginAs, shot, callApi, createOpenExam, tokenFor, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useBrowserServer()

const call = (method: string, path: string, token: string | null, body?: unknown) => callApi(env.server, method, path, token, body)
const tokenOf = (username: string, password: string) => tokenFor(env.server, username, password)

/** Date-time as the console's pickers show it, in the browser's zone (Asia/Shanghai below). */
const pickerText = (d: Date) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d)

/** element-plus puts data-test on the native input for some controls and on the wrapper for others. */
const inputOf = (page: Page, test: string) =>
  page.locator(`input[data-test=${test}], textarea[data-test=${test}], [data-test=${test}] input, [data-test=${test}] textarea`).first()

/** Any well-formed answer: the test cares that the score shown is the one the server gave. */
function someAnswer(q: { type: string; options: { key: string }[] | null; blanks?: number }) {
  if (q.type === 'single') return q.options![0].key
  if (q.type === 'multiple') return [q.options![0].key, q.options![1].key]
  if (q.type === 'judge') return true
  return Array(q.blanks ?? 1).fill('1921')
}

describe('exam console', () => {
  it('an admin creates an exam from rules in the wizard; results show a member’s score and export xlsx', async () => {
    const context = await env.browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    await page.locator('[data-test=nav-console-exams]').click()
    await page.locator('[data-test=exam-add]').click()
    await page.waitForURL(/\/console\/exams\/new$/)

    // 下一步 with no name: the field itself says what is missing, not only a passing toast.
    await page.locator('[data-test=wizard-next]').click()
    await expect.poll(() => page.locator('[data-test=step-basics] .el-form-item__error').allInnerTexts()).toEqual(['请填写考试名称'])

    // 1 基本信息: a window that is already open, so a member can start at once.
    const title = `党史知识集中测试 e2e ${Date.now() % 100000}`
    await inputOf(page, 'exam-title').fill(title)
    for (const [test, when] of [
      ['exam-opens', new Date(Date.now() - 2 * 60_000)],
      ['exam-closes', new Date(Date.now() + 2 * 3_600_000)],
    ] as const) {
      const input = inputOf(page, test)
      await input.click()
      await input.fill(pickerText(when))
      await input.press('Enter')
    }
    // A pass mark above what the paper will total: let through here, caught once the paper is known.
    await inputOf(page, 'exam-pass').fill('500')
    await inputOf(page, 'exam-title').click()
    await shot(page, 'console-exam-wizard-basics')
    await page.locator('[data-test=wizard-next]').click()

    // 2 参考范围: one branch, with its head count.
    const branch = page.locator('[data-test=audience-tree] .el-tree-node__content', { hasText: '办公室党支部' }).first()
    await branch.locator('.el-checkbox').first().click()
    await expect.poll(() => page.locator('[data-test=audience-count]').innerText()).toMatch(/已选 1 个组织，覆盖 \d+ 人/)
    await page.locator('[data-test=wizard-next]').click()

    // 3 试卷: the default rules (20 单选 × 2, 10 多选 × 3, 15 判断 × 2) with the bank's stock per rule.
    for (const i of [0, 1, 2]) await expect.poll(() => page.locator(`[data-test=rule-available-${i}]`).innerText()).toMatch(/可用 \d+ 道/)
    expect(await page.locator('[data-test=rules-total]').innerText()).toBe('共 45 题，总分 100 分')
    await shot(page, 'console-exam-wizard-paper')
    await page.locator('[data-test=wizard-next]').click()

    // The pass mark stops 下一步: back on 基本信息, its own field says why.
    await expect
      .poll(() => page.locator('[data-test=step-basics] .el-form-item__error').allInnerTexts())
      .toEqual(['及格分 500 高于试卷总分 100，请修改及格分'])
    await inputOf(page, 'exam-pass').fill('60')
    await inputOf(page, 'exam-title').click()
    for (const step of ['step-audience', 'step-paper', 'step-preview']) {
      await page.locator('[data-test=wizard-next]').click()
      await page.locator(`[data-test=${step}]`).waitFor()
    }

    // 4 预览: a sample paper like a member sees it, and the total.
    await expect.poll(() => page.locator('[data-test=sample-progress]').innerText()).toBe('第 1 题 / 共 45 题')
    expect(await page.locator('[data-test=summary-total]').innerText()).toBe('100')
    await shot(page, 'console-exam-wizard-preview')
    await page.locator('[data-test=wizard-save]').click()
    await page.waitForURL(/\/console\/exams$/)
    await expect.poll(() => page.locator('[data-test=exams-table]').innerText()).toContain(title)

    const admin = await tokenOf(DEMO_ADMIN.username, DEMO_ADMIN.password)
    const exam = (await call('GET', '/api/exams', admin)).body.find((e: any) => e.title === title)
    expect(exam).toMatchObject({ maxScore: 100, questionCount: 45, durationMinutes: 30, passScore: 60 })
    expect(exam.paper.rules.map((r: any) => [r.type, r.count, r.scoreEach])).toEqual([
      ['single', 20, 2],
      ['multiple', 10, 3],
      ['judge', 15, 2],
    ])
    expect(await page.locator(`[data-test=exam-phase-${exam.id}]`).innerText()).toBe('进行中')

    // A member takes it through the API.
    const member = await tokenOf('dy0001', DEMO_PASSWORD)
    const me = (await call('GET', '/api/me', member)).body
    const start = await call('POST', `/api/exams/${exam.id}/attempts`, member, {})
    expect(start.status).toBeLessThan(300)
    for (const q of start.body.questions) {
      expect((await call('PUT', `/api/attempts/${start.body.attemptId}/answers/${q.id}`, member, { answer: someAnswer(q) })).status).toBe(
        200,
      )
    }
    const submitted = (await call('POST', `/api/attempts/${start.body.attemptId}/submit`, member, {})).body
    expect(submitted.maxScore).toBe(100)

    // The results page shows that score.
    await page.locator(`[data-test=exam-results-${exam.id}]`).click()
    await page.waitForURL(new RegExp(`/console/exams/${exam.id}/results$`))
    await expect.poll(() => page.locator('[data-test=summary-submitted]').innerText()).toContain('1')
    const row = page.locator('[data-test=results-table] .el-table__body-wrapper tr', { hasText: me.username }).first()
    await expect.poll(() => row.innerText()).toContain(me.name)
    expect(await row.locator('td').nth(3).innerText()).toBe('已交卷')
    expect(await row.locator('td').nth(4).innerText()).toBe(String(submitted.score))
    await expect.poll(() => page.locator('[data-test=leaderboard]').innerText()).toContain(me.name)
    await shot(page, 'console-exam-results')

    // Excel export answers 200 with a spreadsheet.
    const [response, download] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/api/exams/${exam.id}/results?format=xlsx`)),
      page.waitForEvent('download'),
      page.locator('[data-test=results-export]').click(),
    ])
    expect(response.status()).toBe(200)
    expect(response.headers()['content-type']).toContain('spreadsheetml')
    expect(download.suggestedFilename()).toBe(`${title}-成绩.xlsx`)
    await context.close()
  })

  it('a person whose review has shown the key gets a note instead of 加一次机会 and 重新开放 (the server refuses both)', async () => {
    const admin = await tokenOf(DEMO_ADMIN.username, DEMO_ADMIN.password)
    const branch = (await call('GET', '/api/orgs', admin)).body.find((o: any) => o.name === '办公室党支部')
    // One attempt, results at once: once submitted, her review shows the key.
    const exam = await createOpenExam(env.server, admin, { title: `已看答案 e2e ${Date.now() % 100000}`, audienceOrgIds: [branch.id] })
    const sitOnce = async (username: string) => {
      const member = await tokenOf(username, DEMO_PASSWORD)
      const me = (await call('GET', '/api/me', member)).body
      const start = await call('POST', `/api/exams/${exam.id}/attempts`, member, {})
      expect((await call('POST', `/api/attempts/${start.body.attemptId}/submit`, member, {})).status).toBe(200)
      return { member, me, attemptId: start.body.attemptId as number }
    }
    const reader = await sitOnce('dy0002')
    const other = await sitOnce('dy0003')
    // She opens her review and sees the key; the other one never opens hers.
    expect((await call('GET', `/api/attempts/${reader.attemptId}`, reader.member)).body.reviewAvailable).toBe(true)

    const context = await env.browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await context.newPage()
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    await page.goto(`${env.server.baseUrl}/console/exams/${exam.id}/results`)
    const rowOf = (username: string) => page.locator('[data-test=results-table] .el-table__body-wrapper tr', { hasText: username }).first()
    const note = page.locator(`[data-test=key-shown-${reader.me.id}]`)
    await page.locator(`[data-test=reopen-${other.me.id}]`).waitFor()
    expect(await note.innerText()).toBe('已看答案，不能补考')
    expect(await page.locator(`[data-test=reopen-${reader.me.id}]`).count()).toBe(0)
    const readerActions = await rowOf(reader.me.username).locator('td').last().innerText()
    expect(readerActions).toContain('延时')
    expect(readerActions).not.toContain('加一次机会')
    expect(readerActions).not.toContain('重新开放')
    expect(await rowOf(other.me.username).locator('td').last().innerText()).toContain('加一次机会')
    // The note says why, and what to do instead.
    await note.hover()
    await expect
      .poll(() => page.locator('.el-popper:visible').allInnerTexts())
      .toContain('该人员已查看过本场考试的答案和解析，不能再重新开放或加机会；如需补考，请另行安排一场考试')
    await shot(page, 'console-results-key-shown')
    await context.close()
  })
})
