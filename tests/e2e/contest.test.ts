// 现场竞答 in real browsers: the hall screen (desktop, a secretary hosting) and two phones joining by
// PIN; a question is asked, one phone answers right and one wrong, the reveal and the podium show.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, PHONE, loginAs, shot, api as apiJson, tokenFor, useBrowserServer } from '../helpers/browser.js'
import { DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useBrowserServer()
const api = (method: string, path: string, token: string | null, body?: unknown) => apiJson(env.server, method, path, token, body)

async function phone(username: string): Promise<Page> {
  const page = await env.browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true })
  await loginAs(page, env.server.baseUrl, username, DEMO_PASSWORD)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  return page
}

describe('a contest in the hall', () => {
  it('the hall screen shows the PIN, two phones join and answer, then the reveal and the podium', async () => {
    const sec = await tokenFor(env.server, 'sj_bgs', DEMO_PASSWORD)
    const orgs = await api('GET', '/api/orgs', sec)
    const branch = orgs.find((o: any) => o.name === '办公室党支部')
    const judge = await env.server.app.db
      .selectFrom('questions')
      .select(['id', 'answer'])
      .where('type', '=', 'judge')
      .where('status', '=', 'published')
      .executeTakeFirstOrThrow()
    const contest = await api('POST', '/api/contests', sec, {
      title: '主题党日现场竞答',
      orgId: branch.id,
      questionIds: [judge.id],
      secondsPerQuestion: 30,
    })

    const hall = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(hall, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await hall.waitForURL(/\/console/)
    await hall.goto(`${env.server.baseUrl}/contest-host/${contest.id}`)
    await expect.poll(() => hall.locator('[data-test=host-pin]').innerText(), { timeout: 15_000 }).toBe(contest.pin)
    await expect.poll(() => hall.locator('img.qr').count()).toBe(1)

    const right = await phone('dy0001')
    const wrong = await phone('dy0002')
    await right.goto(`${env.server.baseUrl}/contest?pin=${contest.pin}`)
    await wrong.goto(`${env.server.baseUrl}/contest`)
    await wrong.locator('[data-test=contest-pin]').fill(contest.pin)
    await wrong.locator('[data-test=contest-enter]').click()
    for (const p of [right, wrong]) await p.locator('[data-test=contest-lobby]').waitFor({ timeout: 15_000 })
    await expect.poll(() => hall.locator('[data-test=host-players]').innerText()).toContain('2')
    await shot(hall, 'contest-hall-lobby')

    await hall.locator('[data-test=host-next]').click()
    for (const p of [right, wrong]) await p.locator('[data-test=contest-question]').waitFor({ timeout: 15_000 })
    await shot(right, 'contest-phone-question')
    await right.locator(`[data-test=live-option-${String(judge.answer)}]`).click()
    await wrong.locator(`[data-test=live-option-${String(!judge.answer)}]`).click()

    // Both answered: the reveal comes at once, on the hall screen and on each phone.
    await hall.locator('[data-test=host-reveal]').waitFor({ timeout: 15_000 })
    await expect.poll(() => right.locator('[data-test=contest-verdict]').innerText()).toContain('回答正确')
    await expect.poll(() => wrong.locator('[data-test=contest-verdict]').innerText()).toContain('回答错误')
    await shot(hall, 'contest-hall-reveal')

    await hall.locator('[data-test=host-next]').click()
    await expect.poll(() => hall.locator('[data-test=contest-podium]').innerText(), { timeout: 15_000 }).toMatch(/\d/)
    await right.locator('[data-test=contest-ended]').waitFor({ timeout: 15_000 })
    await shot(hall, 'contest-hall-podium')
    const results = await api('GET', `/api/contests/${contest.id}/results`, sec)
    expect(results.map((r: any) => r.score > 0)).toEqual([true, false])
  })
})
