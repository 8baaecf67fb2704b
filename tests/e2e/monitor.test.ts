import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, loginAs, shot, api as apiJson, createOpenExam, tokenFor, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useBrowserServer()

const api = (method: string, path: string, token: string | null, body?: unknown) => apiJson(env.server, method, path, token, body)
const login = (username: string, password = DEMO_PASSWORD) => tokenFor(env.server, username, password)

/** A member starts, answers every question and submits, all through the API. */
async function takeAndSubmit(username: string, examId: number) {
  const token = await login(username)
  const attempt = await api('POST', `/api/exams/${examId}/attempts`, token, {})
  for (const q of attempt.questions) await api('PUT', `/api/attempts/${attempt.attemptId}/answers/${q.id}`, token, { answer: true })
  return api('POST', `/api/attempts/${attempt.attemptId}/submit`, token, {})
}

const counter = (page: Page, key: string) => page.locator(`[data-test=counter-${key}] [data-test=value]`).innerText()

describe('the secretary watches an exam live', () => {
  it("counts her branch's submissions as they happen, without a reload, and nobody else's", async () => {
    const admin = await login(DEMO_ADMIN.username, DEMO_ADMIN.password)
    const orgs = await api('GET', '/api/orgs', admin)
    const root = orgs.find((o: any) => o.parentId === null)
    const exam = await createOpenExam(env.server, admin, {
      title: '党史知识集中测试（监控）',
      audienceOrgIds: [root.id],
      passScore: 60,
      shuffleQuestions: true,
      shuffleOptions: true,
      paper: { rules: [{ type: 'judge', count: 5, scoreEach: 20 }] },
    })
    // dy0020 belongs to another branch (政策法规处党支部), outside sj_bgs's 办公室党支部.
    const outsider = (await api('GET', '/api/users?q=dy0020', admin)).items[0]
    expect(outsider.orgName ?? orgs.find((o: any) => o.id === outsider.orgId)?.name).toBe('政策法规处党支部')

    const page = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(page, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await page.waitForURL(/\/console/)
    await page.goto(`${env.server.baseUrl}/console/monitor?examId=${exam.id}`)
    // 办公室党支部 has 14 people (the secretary and 13 members), none started.
    await expect.poll(() => counter(page, 'invited'), { timeout: 15_000 }).toBe('14')
    expect(await counter(page, 'started')).toBe('0')
    expect(await counter(page, 'submitted')).toBe('0')
    await expect.poll(() => page.locator('[data-test=monitor-live]').innerText()).toBe('实时')
    await expect.poll(() => page.locator('[data-test=monitor-not-started]').innerText()).toContain('办公室党支部')
    // A marker that a reload would wipe out.
    await page.evaluate(() => {
      ;(window as any).__sameDocument = true
    })

    await takeAndSubmit('dy0001', exam.id)
    await takeAndSubmit('dy0002', exam.id)
    await expect.poll(() => counter(page, 'submitted'), { timeout: 5_000 }).toBe('2')
    expect(await counter(page, 'started')).toBe('2')
    await expect.poll(() => page.locator('[data-test=monitor-people]').innerText(), { timeout: 8_000 }).toContain('已交卷')

    // Another branch submits, then one more of hers: once hers shows, the other has been pushed too.
    await takeAndSubmit('dy0020', exam.id)
    await takeAndSubmit('dy0003', exam.id)
    await expect.poll(() => counter(page, 'submitted'), { timeout: 5_000 }).toBe('3')
    await new Promise((r) => setTimeout(r, 1500))
    expect(await counter(page, 'submitted')).toBe('3')
    expect(await counter(page, 'started')).toBe('3')
    expect(await counter(page, 'invited')).toBe('14')
    expect(await page.locator('[data-test=monitor-orgs]').innerText()).not.toContain('政策法规处党支部')
    await expect.poll(() => page.locator('[data-test=monitor-leaderboard]').innerText()).toMatch(/1[\s\S]*2[\s\S]*3/)
    expect(await page.locator('[data-test=monitor-leaderboard]').innerText()).not.toContain(outsider.name)
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true)
    await shot(page, 'desktop-secretary-monitor')
    await page.close()
  })

  it('reads 已答题数 again every 20 s while someone is answering, since saving an answer pushes nothing', async () => {
    const admin = await login(DEMO_ADMIN.username, DEMO_ADMIN.password)
    const branch = (await api('GET', '/api/orgs', admin)).find((o: any) => o.name === '办公室党支部')
    const exam = await createOpenExam(env.server, admin, {
      title: '党史知识集中测试（监控·作答进度）',
      audienceOrgIds: [branch.id],
      passScore: 60,
      paper: { rules: [{ type: 'judge', count: 5, scoreEach: 20 }] },
    })
    const page = await env.browser.newPage({ viewport: DESKTOP })
    // The page's timers run on a clock the test can move; it also flows on its own.
    await page.clock.install()
    await loginAs(page, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await page.waitForURL(/\/console/)
    await page.goto(`${env.server.baseUrl}/console/monitor?examId=${exam.id}`)
    await expect.poll(() => page.locator('[data-test=monitor-live]').innerText(), { timeout: 15_000 }).toBe('实时')

    const member = await login('dy0005')
    const me = await api('GET', '/api/me', member)
    const attempt = await api('POST', `/api/exams/${exam.id}/attempts`, member, {})
    const row = page.locator('[data-test=monitor-people] .el-table__body-wrapper tr', { hasText: me.name }).first()
    // Starting is pushed, so the row appears at once, with nothing answered.
    await expect.poll(() => row.innerText(), { timeout: 8_000 }).toContain('0 / 5')
    for (const q of attempt.questions.slice(0, 2))
      await api('PUT', `/api/attempts/${attempt.attemptId}/answers/${q.id}`, member, { answer: true })
    await page.clock.runFor(20_000)
    await expect.poll(() => row.innerText(), { timeout: 5_000 }).toContain('2 / 5')
    await page.close()
  })
})
