// 双人对战 in real browsers: two phones (390 px) sign in as two members, open 对战 from 学习, queue
// for a duel and are matched; every round one answers right and the other wrong; both see the end
// screen with the ranking and the points earned. One of them has not agreed to show her name: her
// opponent sees her as 张* with her unit, while she sees her own name.
import { describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { PHONE, loginAs, shot, useBrowserServer } from '../helpers/browser.js'
import { keyFor, wrongFor } from '../helpers/live-games.js'
import { battleRuntimeOf } from '../../server/modules/battles/index.js'
import { DEMO_PASSWORD } from '../../server/seed/demo.js'
import type { LiveQuestion } from '../../server/realtime/events-map.js'

const env = useBrowserServer()
const ROUNDS = 3

interface Phone {
  page: Page
  /** battle:question payloads this page's socket received, by round. */
  questions: Map<number, { battleId: number; index: number; question: LiveQuestion }>
}

/** A phone signed in; records the battle questions its live connection receives. */
async function phone(browser: Browser, username: string, declineNotice = false): Promise<Phone> {
  const context = await browser.newContext({
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  const page = await context.newPage()
  const questions: Phone['questions'] = new Map()
  page.on('websocket', (ws) =>
    ws.on('framereceived', ({ payload }) => {
      const text = String(payload)
      if (!text.startsWith('42["battle:question"')) return
      const [, e] = JSON.parse(text.slice(2))
      questions.set(e.index, e)
    }),
  )
  await loginAs(page, env.server.baseUrl, username, DEMO_PASSWORD)
  await page.waitForURL((u) => !u.pathname.startsWith('/login'))
  if (declineNotice) {
    // First login of a member who has not chosen: the privacy notice; she keeps her name hidden.
    await page.locator('[data-test=privacy-decline]').click({ timeout: 15_000 })
    await expect.poll(() => page.locator('[data-test=privacy-notice]').isVisible()).toBe(false)
  }
  return { page, questions }
}

/** Taps the answer: single and judge in one tap, multiple by toggling then confirming. */
async function tapAnswer(page: Page, q: LiveQuestion, answer: unknown) {
  for (const key of ([] as unknown[]).concat(answer)) await page.locator(`[data-test=live-option-${String(key)}]`).click()
  if (q.type === 'multiple') await page.locator('[data-test=live-confirm]').click()
}

describe('a duel on two phones', () => {
  it('both open 对战, get matched, play every round and see the ranking and points', async () => {
    const runtime = battleRuntimeOf(env.server.app)!
    Object.assign(runtime.timing, { rounds: ROUNDS, revealMs: 1_500, startDelayMs: 1_000 })
    runtime.timing.reading = { baseMs: 0, perCharMs: 0, capMs: 0 }
    const db = env.server.app.db
    const nameOf = async (username: string) =>
      (await db.selectFrom('users').select('name').where('username', '=', username).executeTakeFirstOrThrow()).name

    const right = await phone(env.browser, 'dy0001')
    // dy0124 (省中小企业服务中心党支部) meets the privacy notice and declines to show her name.
    const wrong = await phone(env.browser, 'dy0124', true)
    const [rightName, wrongName] = [await nameOf('dy0001'), await nameOf('dy0124')]

    for (const p of [right, wrong]) {
      await p.page.locator('[data-test=tab-study]').click()
      await p.page.locator('[data-test=entry-battle]').click()
      await p.page.locator('[data-test=battle-start-duel]').click({ timeout: 15_000 })
    }
    await right.page.locator('[data-test=battle-waiting], [data-test=battle-board]').first().waitFor()
    for (const p of [right, wrong]) await p.page.locator('[data-test=battle-board]').waitFor({ timeout: 15_000 })

    // Each sees herself by name, marked 我; the right answerer sees her opponent masked with her unit.
    const board = (p: Phone) => p.page.locator('[data-test=battle-board]').innerText()
    await expect.poll(() => board(right)).toContain(`${rightName}（我）`)
    await expect.poll(() => board(right)).toContain(`${Array.from(wrongName)[0]}*`)
    expect(await board(right)).toContain('省中小企业服务中心党支部')
    expect(await board(right)).not.toContain(wrongName)
    await expect.poll(() => board(wrong)).toContain(`${wrongName}（我）`)
    expect(await board(wrong)).toContain(rightName)

    for (let i = 0; i < ROUNDS; i++) {
      for (const p of [right, wrong]) {
        await expect.poll(() => p.questions.has(i), { timeout: 20_000 }).toBe(true)
        await expect.poll(() => p.page.locator('[data-test=battle-question] header').innerText()).toContain(`第 ${i + 1} / ${ROUNDS} 题`)
      }
      const q = right.questions.get(i)!.question
      if (i === 0) await shot(right.page, 'battle-phone-question')
      await tapAnswer(right.page, q, await keyFor(db, q))
      const qw = wrong.questions.get(i)!.question
      await tapAnswer(wrong.page, qw, await wrongFor(db, qw))
      // Both answered: the round closes at once; marks and the key show on both phones.
      await expect.poll(() => right.page.locator('[data-test=battle-board] .mark.ok').count()).toBe(1)
      await expect.poll(() => wrong.page.locator('[data-test=battle-board] .mark.no').count()).toBe(1)
      await expect.poll(() => wrong.page.locator('[data-test=battle-question] .opt.right').count()).toBeGreaterThan(0)
      await expect.poll(() => right.page.locator('[data-test=battle-verdict]').innerText()).toBe('回答正确')
      await expect.poll(() => wrong.page.locator('[data-test=battle-verdict]').innerText()).toBe('回答错误')
      if (i === 0) await shot(wrong.page, 'battle-phone-round')
    }

    for (const p of [right, wrong]) await p.page.locator('[data-test=battle-result]').waitFor({ timeout: 20_000 })
    const rows = (p: Phone) => p.page.locator('[data-test=battle-result] li').allInnerTexts()
    const [first, second] = await rows(right)
    expect(first).toMatch(new RegExp(`第 1 名\\s*${rightName}`))
    expect(second).toMatch(/第 2 名\s*\S\*/)
    expect(second).toContain('省中小企业服务中心党支部')
    expect(second).not.toContain(wrongName)
    expect((await rows(wrong))[1]).toContain(`${wrongName}（我）`)
    // The first duel of the day: the winner earns 2, the other 1.
    expect(await right.page.locator('[data-test=battle-points]').innerText()).toContain('获得 2 积分')
    expect(await wrong.page.locator('[data-test=battle-points]').innerText()).toContain('获得 1 积分')
    await shot(right.page, 'battle-phone-result')
    await shot(wrong.page, 'battle-phone-result-masked-self')
    for (const p of [right, wrong]) await p.page.context().close()
  })
})
