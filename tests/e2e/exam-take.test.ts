import { describe, expect, it } from 'vitest'
import { PHONE, loginAs, shot, api as apiJson, createOpenExam, tokenFor, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useBrowserServer()
const api = (path: string, token: string, body?: unknown) => apiJson(env.server, body === undefined ? 'GET' : 'POST', path, token, body)

/** An exam for 办公室党支部, open now for 20 minutes a person, fixed order, results at once. */
async function openExam(title: string, rules: { type: string; count: number; scoreEach: number }[]) {
  const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const orgs = await api('/api/orgs', admin)
  const exam = await createOpenExam(env.server, admin, {
    title,
    durationMinutes: 20,
    audienceOrgIds: [orgs.find((o: any) => o.name === '办公室党支部').id],
    passScore: 30,
    paper: { rules },
  })
  expect(exam.id).toBeGreaterThan(0)
  return exam
}

describe('a member takes an exam on a phone', () => {
  it('answers, reloads mid-way without losing anything, and submits', async () => {
    const exam = await openExam('党史知识小测', [
      { type: 'judge', count: 3, scoreEach: 20 },
      { type: 'single', count: 2, scoreEach: 20 },
    ])

    const context = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' })
    const page = await context.newPage()
    // Which way each save went: socket.io frames carrying attempt:save, or HTTP PUTs of an answer.
    const channel = { socketUp: false, socketSaves: 0, httpSaves: 0 }
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => {
        if (String(f.payload).startsWith('40')) channel.socketUp = true // socket.io: namespace connected
      })
      ws.on('framesent', (f) => {
        if (String(f.payload).includes('"attempt:save"')) channel.socketSaves++
      })
      ws.on('close', () => (channel.socketUp = false))
    })
    page.on('request', (r) => {
      if (r.method() === 'PUT' && /\/api\/attempts\/\d+\/answers\//.test(r.url())) channel.httpSaves++
    })
    await loginAs(page, env.server.baseUrl, 'dy0001', DEMO_PASSWORD)
    await page.waitForURL(`${env.server.baseUrl}/`)
    await page.locator('[data-test=tab-exams]').click()
    await page.locator(`[data-test=exam-${exam.id}]`).click()
    await page.locator('[data-test=exam-go]').click()
    await page.locator('.van-dialog__confirm').click()
    await page.waitForURL(/\/take$/)
    await expect.poll(() => page.locator('[data-test=countdown]').innerText()).toMatch(/1[89]:\d\d|20:00/)

    // Three judge questions first (no shuffling): answer them, over the live socket the page holds.
    await expect.poll(() => channel.socketUp, { timeout: 10_000 }).toBe(true)
    for (let i = 0; i < 3; i++) {
      await page.locator('[data-test=judge-true]').click()
      await expect.poll(() => page.locator('[data-test=save-state]').innerText()).toBe('已保存')
      await page.locator('[data-test=next]').click()
    }
    expect(channel).toMatchObject({ socketSaves: 3, httpSaves: 0 })
    await shot(page, 'phone-exam-question')
    await page.reload()
    await expect
      .poll(() =>
        page
          .locator('[data-test=answer-card]')
          .count()
          .then(() => page.locator('[data-test=open-card]').innerText()),
      )
      .toContain('3/5')

    await page.locator('[data-test=open-card]').click()
    await page.locator('[data-test=card-4]').click()
    await page.locator('[data-test=option-A]').click()
    await expect.poll(() => page.locator('[data-test=save-state]').innerText()).toBe('已保存')
    await page.locator('[data-test=open-card]').click()
    await shot(page, 'phone-exam-card')
    await page.locator('[data-test=card-submit]').click()
    await expect.poll(() => page.locator('.van-dialog__message').innerText()).toContain('还有 1 题未作答')
    await page.locator('.van-dialog__confirm').click()
    await page.waitForURL(/\/attempts\/\d+/)
    await expect.poll(() => page.locator('[data-test=attempt-score]').innerText()).toMatch(/\/ 100/)
    await shot(page, 'phone-exam-result')

    // What the browser showed is what the server graded: 4 answers saved, none lost to the reload.
    const attemptId = Number(new URL(page.url()).pathname.split('/').pop())
    const saved = await env.server.app.db.selectFrom('attempt_answers').select('question_id').where('attempt_id', '=', attemptId).execute()
    expect(saved).toHaveLength(4)
    await context.close()
  })

  it('an answer still on its way over the socket when she submits is graded, not overtaken by the submit', async () => {
    const exam = await openExam('交卷不抢先', [{ type: 'judge', count: 1, scoreEach: 100 }])
    const context = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' })
    const page = await context.newPage()
    // The page's socket goes through this relay, which holds each save two seconds on its way to the
    // server (a slow uplink): the save is on the way, not yet stored, when the submit is pressed.
    let savesHeld = 0
    let socketUp = false
    await page.routeWebSocket(/\/socket\.io\//, (ws) => {
      socketUp = false // a new page's socket: up once its socket.io connect comes back
      const server = ws.connectToServer()
      ws.onMessage((m) => {
        if (String(m).includes('"attempt:save"')) {
          savesHeld++
          setTimeout(() => server.send(m), 2000)
        } else server.send(m)
      })
      server.onMessage((m) => {
        if (String(m).startsWith('40')) socketUp = true
        ws.send(m)
      })
    })
    await loginAs(page, env.server.baseUrl, 'dy0002', DEMO_PASSWORD)
    await page.waitForURL(`${env.server.baseUrl}/`)
    await page.goto(`${env.server.baseUrl}/exams/${exam.id}`)
    // The 考试 tab's badge: the exams she still has to sit (this one among them).
    const tabBadge = page.locator('[data-test=tab-exams] .van-badge')
    const stillToSit = async () => ((await tabBadge.count()) ? Number(await tabBadge.innerText()) : 0)
    await expect.poll(stillToSit).toBeGreaterThan(0)
    const before = await stillToSit()
    await page.locator('[data-test=exam-go]').click()
    await page.locator('.van-dialog__confirm').click()
    await page.waitForURL(/\/take$/)
    // The exam page's socket is up (its handshake went through the relay) before she answers.
    await expect.poll(() => socketUp, { timeout: 10_000 }).toBe(true)
    await page.locator('[data-test=judge-true]').click()
    await expect.poll(() => savesHeld, { timeout: 10_000 }).toBe(1)
    await page.locator('[data-test=submit]').click()
    await page.locator('.van-dialog__confirm').click()
    await page.waitForURL(/\/attempts\/\d+/, { timeout: 15_000 })
    const attemptId = Number(new URL(page.url()).pathname.split('/').pop())
    const saved = await env.server.app.db.selectFrom('attempt_answers').select('answer').where('attempt_id', '=', attemptId).execute()
    // The answer went over the socket (held, then stored) before the submit graded the paper.
    expect(saved.map((r) => r.answer)).toEqual([true])
    expect(await page.locator('[data-test=attempt-score]').innerText()).toMatch(/\/ 100/)
    // …and once she has submitted, it no longer counts this one (its list is otherwise kept 30 s).
    await expect.poll(stillToSit).toBe(before - 1)
    await context.close()
  })
})
