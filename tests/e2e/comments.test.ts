// 发表观点 in the browser: a member writes a comment under a material on a 390 px phone and sees it
// waiting (待审核); her secretary approves it in the console's 观点审核; the member then sees it shown
// and her 发表观点 point. And the results page draws the item analysis of an exam.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, PHONE, api as apiJson, createOpenExam, loginAs, shot, tokenFor, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useBrowserServer()
const api = (method: string, path: string, token: string | null, body?: unknown) => apiJson(env.server, method, path, token, body)
const PASSWORD = 'Harbor-Lamp-2026'

async function dismissPrivacyNotice(page: Page) {
  await page
    .locator('[data-test=privacy-agree]')
    .click({ timeout: 5_000 })
    .catch(() => {
      /* no notice for this person */
    })
}

describe('发表观点', () => {
  it('a member comments on a phone, her secretary approves in the console, and she sees it and her point', async () => {
    const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const orgs = await api('GET', '/api/orgs', admin)
    const branch = orgs.find((o: any) => o.name === '办公室党支部')
    const username = `e2ecm${Date.now().toString(36)}`
    await api('POST', '/api/users', admin, { username, name: '李学文', password: PASSWORD, orgId: branch.id, role: 'member' })
    const material = (await api('GET', '/api/study/materials?kind=article&pageSize=1', admin)).items[0]
    const text = '读了这篇文章，深感三线建设者艰苦奋斗的精神值得我们传承。'

    // The member, on a phone.
    const phone = await env.browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' })
    await loginAs(phone, env.server.baseUrl, username, PASSWORD)
    await phone.waitForURL((u) => !u.pathname.startsWith('/login'))
    await dismissPrivacyNotice(phone)
    await phone.goto(`${env.server.baseUrl}/study/materials/${material.id}`)
    const input = phone.locator('[data-test=comment-input] textarea')
    await input.scrollIntoViewIfNeeded()
    await input.fill(text)
    await phone.locator('[data-test=comment-submit]').click()
    const mine = phone.locator('[data-test=comment-list] li', { hasText: text })
    await expect.poll(() => mine.getAttribute('data-status'), { timeout: 10_000 }).toBe('pending')
    expect(await mine.locator('[data-test=comment-status]').innerText()).toBe('待审核')
    // Large enough to read and to tap.
    const box = await phone.locator('[data-test=comment-submit]').boundingBox()
    expect(box!.height).toBeGreaterThanOrEqual(48)
    expect(box!.width).toBeLessThanOrEqual(PHONE.width)
    const fontSize = await input.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
    expect(fontSize).toBeGreaterThanOrEqual(17)
    await shot(phone, 'phone-comment-pending')

    // Her secretary, in the console.
    const desk = await env.browser.newPage({ viewport: DESKTOP, locale: 'zh-CN' })
    await loginAs(desk, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await desk.waitForURL((u) => !u.pathname.startsWith('/login'))
    await desk.goto(`${env.server.baseUrl}/console/comments`)
    const row = desk.locator('[data-test=comments-table] tr', { hasText: text })
    await row.waitFor({ timeout: 10_000 })
    expect(await row.innerText()).toContain('李学文')
    await shot(desk, 'console-comment-queue')
    await row.locator('[data-test^=comment-approve-]').click()
    await expect
      .poll(
        () =>
          desk
            .locator('.el-message')
            .innerText()
            .catch(() => ''),
        { timeout: 5_000 },
      )
      .toContain('已通过')
    // Gone from the waiting queue.
    await expect.poll(() => desk.locator('[data-test=comments-table] tr', { hasText: text }).count(), { timeout: 5_000 }).toBe(0)
    await desk.close()

    // The member sees it shown, and her point for 发表观点.
    await phone.reload()
    const shown = phone.locator('[data-test=comment-list] li', { hasText: text })
    await expect.poll(() => shown.getAttribute('data-status'), { timeout: 10_000 }).toBe('approved')
    expect(await shown.locator('[data-test=comment-status]').count()).toBe(0)
    expect(await shown.innerText()).toContain('李学文')
    await shot(phone, 'phone-comment-approved')
    await phone.goto(`${env.server.baseUrl}/`)
    await expect.poll(() => phone.locator('[data-test=rule-opinion] .num').innerText(), { timeout: 10_000 }).toBe('1/1')
    await phone.close()
  })
})

describe('item analysis on the results page', () => {
  /** An open exam for 办公室党支部 on one fixed paper of `count` judge questions (100 points), so everyone answers the same ones. */
  async function judgeExam(title: string, count: number) {
    const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const branch = (await api('GET', '/api/orgs', admin)).find((o: any) => o.name === '办公室党支部')
    const judges = (await api('GET', `/api/questions?type=judge&pageSize=${count}`, admin)).items
    return createOpenExam(env.server, admin, {
      title,
      audienceOrgIds: [branch.id],
      passScore: 60,
      paper: { questionIds: judges.map((q: any) => q.id), scoreEach: 100 / count },
    })
  }

  it('draws facility against discrimination and the option bars, and sends a question to review', async () => {
    const exam = await judgeExam('题目分析展示测试', 4)
    // Six people answer: the first question everyone gets the same, the rest vary with the person.
    for (let i = 1; i <= 6; i++) {
      const token = await tokenFor(env.server, `dy${String(i).padStart(4, '0')}`, DEMO_PASSWORD)
      const attempt = await api('POST', `/api/exams/${exam.id}/attempts`, token, {})
      for (const [j, q] of attempt.questions.entries()) {
        await api('PUT', `/api/attempts/${attempt.attemptId}/answers/${q.id}`, token, { answer: j === 0 ? true : (i + j) % 2 === 0 })
      }
      await api('POST', `/api/attempts/${attempt.attemptId}/submit`, token)
    }

    const desk = await env.browser.newPage({ viewport: DESKTOP, locale: 'zh-CN' })
    await loginAs(desk, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await desk.waitForURL((u) => !u.pathname.startsWith('/login'))
    await desk.goto(`${env.server.baseUrl}/console/exams/${exam.id}/results`)
    const chart = desk.locator('[data-test=chart-item-analysis] canvas')
    await chart.first().waitFor({ timeout: 15_000 })
    await chart.first().scrollIntoViewIfNeeded()
    const size = await chart.first().boundingBox()
    expect(size!.width).toBeGreaterThan(300)
    expect(size!.height).toBeGreaterThan(200)
    // Something is drawn: the canvas is not one flat colour.
    const colours = await chart.first().evaluate((c) => {
      const canvas = c as HTMLCanvasElement
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
      const seen = new Set<number>()
      for (let p = 0; p < data.length; p += 4 * 97) seen.add((data[p] << 16) | (data[p + 1] << 8) | data[p + 2])
      return seen.size
    })
    expect(colours).toBeGreaterThan(3)
    const rows = desk.locator('[data-test=analysis-table] tbody tr')
    await expect.poll(() => rows.count()).toBe(4)
    // Judge questions: a bar for 正确 and one for 错误 in every row.
    expect(await desk.locator('[data-test^=analysis-option-][data-test$=-正确]').count()).toBe(4)
    await shot(desk, 'console-item-analysis')

    // Admins send one back to the bank's review.
    await desk.locator('[data-test^=analysis-review-]').first().click()
    await desk.locator('.el-message-box .el-button--primary').click()
    await expect.poll(() => desk.locator('[data-test=analysis-table]').innerText(), { timeout: 5_000 }).toContain('已退回待审')
    const reviews = await env.server.app.db.selectFrom('question_reviews').select('exam_id').where('exam_id', '=', exam.id).execute()
    expect(reviews).toHaveLength(1)
    await desk.close()
  })

  it('shows no discrimination from fewer than five answers (two would read as ±1.00)', async () => {
    const exam = await judgeExam('两人作答的分析', 2)
    // Two people who disagree on both questions: a correlation of exactly −1 or +1 from two points.
    for (const [i, answer] of [true, false].entries()) {
      const token = await tokenFor(env.server, `dy${String(i + 7).padStart(4, '0')}`, DEMO_PASSWORD)
      const attempt = await api('POST', `/api/exams/${exam.id}/attempts`, token, {})
      for (const q of attempt.questions) await api('PUT', `/api/attempts/${attempt.attemptId}/answers/${q.id}`, token, { answer })
      await api('POST', `/api/attempts/${attempt.attemptId}/submit`, token)
    }
    const desk = await env.browser.newPage({ viewport: DESKTOP, locale: 'zh-CN' })
    await loginAs(desk, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await desk.waitForURL((u) => !u.pathname.startsWith('/login'))
    await desk.goto(`${env.server.baseUrl}/console/exams/${exam.id}/results`)
    const table = desk.locator('[data-test=analysis-table]')
    await expect.poll(() => desk.locator('[data-test^=analysis-few-]').count(), { timeout: 15_000 }).toBe(2)
    expect(await table.innerText()).toContain('作答不足 5 人，暂不计算区分度')
    expect(await table.innerText()).not.toMatch(/-1\.00|1\.00/)
    await desk.close()
  })

  it('tells a secretary who can still sit the exam when she may read its analysis, instead of the key', async () => {
    const exam = await judgeExam('书记本人尚未参加的考试', 2)
    const token = await tokenFor(env.server, 'dy0009', DEMO_PASSWORD)
    const attempt = await api('POST', `/api/exams/${exam.id}/attempts`, token, {})
    await api('POST', `/api/attempts/${attempt.attemptId}/submit`, token)
    const desk = await env.browser.newPage({ viewport: DESKTOP, locale: 'zh-CN' })
    await loginAs(desk, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await desk.waitForURL((u) => !u.pathname.startsWith('/login'))
    await desk.goto(`${env.server.baseUrl}/console/exams/${exam.id}/results`)
    await expect.poll(() => desk.locator('[data-test=analysis-withheld]').innerText(), { timeout: 15_000 }).toContain('您也要参加本场考试')
    expect(await desk.locator('[data-test=analysis-table]').count()).toBe(0)
    // The per-question table says the same instead of an empty 暂无数据.
    expect(await desk.locator('[data-test=question-stats]').innerText()).toContain('才能查看各题情况')
    await desk.close()
  })
})
