// A member's study day on a phone: 首页 shows today's points, an article is read (with verified
// study time), the daily quiz is answered with immediate feedback, and the points ring goes up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { PHONE, launchBrowser, loginAs, shot, startServer, type E2EServer } from '../helpers/browser.js'
import { DEMO_PASSWORD } from '../../server/seed/demo.js'
import type { Clock } from '../../server/lib/clock.js'

// The real clock, plus a skew the test can add: heartbeats come every 15 s of real time, and moving
// the server's time forward between two of them stands in for minutes of reading.
const skew = { ms: 0 }
const clock: Clock = { now: () => new Date(Date.now() + skew.ms) }

let server: E2EServer
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  server = await startServer(clock)
  browser = await launchBrowser()
  context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' })
  page = await context.newPage()
})
afterAll(async () => {
  await context?.close()
  await browser?.close()
  await server?.close()
})

const ringValue = () => page.locator('[data-test=points-card] [data-test=ring-value]').innerText().then(Number)
const ruleText = (rule: string) => page.locator(`[data-test=rule-${rule}] .num`).innerText()

type Key = { id: number; type: 'single' | 'multiple' | 'judge' | 'fill'; answer: unknown; options: { key: string }[] | null }
async function keyOf(id: number): Promise<Key> {
  // Practice shuffles options per person and per set: the key in her letters is the form the server
  // served her in today's daily set (the home page asks for the weekly set too, which may hold the same
  // question in other letters).
  const served = await server.app.db
    .selectFrom('practice_items')
    .innerJoin('users', 'users.id', 'practice_items.user_id')
    .select('practice_items.question')
    .where('users.username', '=', 'dy0001')
    .where('practice_items.question_id', '=', id)
    .where('practice_items.set_key', 'like', 'daily:%')
    .orderBy('practice_items.served_at', 'desc')
    .executeTakeFirst()
  if (served) return served.question as Key
  return (await server.app.db
    .selectFrom('questions')
    .select(['id', 'type', 'answer', 'options'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()) as Key
}

/** Answers the question on screen through the UI: right, or deliberately wrong. */
async function answerOnScreen(k: Key, right: boolean) {
  if (k.type === 'judge') {
    const value = right ? (k.answer as boolean) : !(k.answer as boolean)
    await page.locator(`[data-test=judge-${value}]`).click()
  } else if (k.type === 'single') {
    const key = right ? (k.answer as string) : k.options!.find((o) => o.key !== k.answer)!.key
    await page.locator(`[data-test=option-${key}]`).click()
  } else if (k.type === 'multiple') {
    const key = k.answer as string[]
    const outsider = k.options!.find((o) => !key.includes(o.key))?.key
    const keys = right ? key : outsider ? [outsider] : key.slice(1)
    for (const key of keys) await page.locator(`[data-test=option-${key}]`).click()
  } else {
    const blanks = k.answer as string[][]
    for (let i = 0; i < blanks.length; i++) await page.locator(`[data-test=blank-${i + 1}] input`).fill(right ? blanks[i][0] : '错误答案')
  }
}

describe('a member studies on a phone', () => {
  it("首页 shows today's points: a ring, the total, the streak and a bar per rule", async () => {
    await loginAs(page, server.baseUrl, 'dy0001', DEMO_PASSWORD)
    await page.waitForURL(`${server.baseUrl}/`)
    await expect.poll(ringValue).toBe(1) // 登录 +1
    expect(await ruleText('login')).toBe('1/1')
    expect(await ruleText('daily_quiz')).toBe('0/5')
    expect(await page.locator('[data-test=rule-weekly_quiz]').innerText()).toContain('本周')
    expect(await page.locator('[data-test=points-streak]').innerText()).toContain('1 天')
    await shot(page, 'phone-study-home-before')
  })

  it('reads an article: it renders, heartbeats run, and verified reading earns 文章选读', async () => {
    await page.locator('[data-test=tab-study]').click()
    await page.locator('[data-test=kind-article]').click()
    const first = page.locator('[data-test=material-list] a').first()
    await first.waitFor()
    const title = (await first.locator('.title').innerText()).trim()
    const firstBeat = page.waitForResponse((r) => r.url().includes('/heartbeat') && r.request().method() === 'POST')
    await first.click()
    await page.waitForURL(/\/study\/materials\/\d+$/)
    await expect.poll(() => page.locator('[data-test=reader-title]').innerText()).toBe(title)
    const body = page.locator('[data-test=reader-body]')
    expect((await body.innerText()).length).toBeGreaterThan(200)
    expect(await body.locator('p').count()).toBeGreaterThan(1)
    expect(await body.locator('script').count()).toBe(0)
    expect((await firstBeat).status()).toBe(200)
    await shot(page, 'phone-study-article')

    // 20 s pass on the server between two beats (35 s of reading): the next beat counts the article.
    skew.ms += 20_000
    const awarded = await page.waitForResponse(
      async (r) => {
        if (!r.url().includes('/heartbeat')) return false
        const res = await r.json().catch(() => null)
        return !!res?.awards?.some((a: any) => a.rule === 'article')
      },
      { timeout: 25_000 },
    )
    expect((await awarded.json()).awards).toContainEqual({ rule: 'article', points: 1 })
    await expect.poll(() => page.locator('.xc-award-toast').innerText()).toContain('+1 文章选读')
    await expect.poll(() => page.locator('[data-test=study-timer]').innerText()).toContain('已计入')
    await shot(page, 'phone-study-article-counted')

    // The timer sits on the tab bar, never over it, and the article's last line scrolls clear of it.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight))
    const box = (sel: string) => page.locator(sel).evaluate((e) => e.getBoundingClientRect().toJSON() as DOMRect)
    const [timer, tabbar] = [await box('[data-test=study-timer]'), await box('[data-test=tabbar]')]
    expect(timer.bottom).toBeLessThanOrEqual(tabbar.top + 0.5)
    const lastLine = await page
      .locator('[data-test=reader-body] > :last-child, [data-test=reader-title] ~ .source')
      .last()
      .evaluate((e) => e.getBoundingClientRect().bottom)
    expect(lastLine).toBeLessThanOrEqual(timer.top)
  })

  it('answers the daily quiz: immediate ✓/✗ with the correct answer and 解析, a summary at the end', async () => {
    await page.locator('[data-test=tab-study]').click()
    await page.locator('[data-test=entry-daily]').click()
    await page.waitForURL(/\/study\/quiz\/daily$/)
    const seen: number[] = []
    for (let i = 0; i < 5; i++) {
      const question = page.locator('article.question')
      await expect
        .poll(async () => Number((await question.getAttribute('data-test'))?.replace('question-', '')))
        .not.toBe(seen[i - 1] ?? -1)
      const id = Number((await question.getAttribute('data-test'))!.replace('question-', ''))
      seen.push(id)
      const right = i !== 0 // the first one wrong, on purpose
      await answerOnScreen(await keyOf(id), right)
      await page.locator('[data-test=quiz-submit]').click()
      const feedback = page.locator(right ? '[data-test=feedback-right]' : '[data-test=feedback-wrong]')
      await feedback.waitFor()
      expect(await feedback.innerText()).toContain('正确答案')
      expect(await feedback.innerText()).toContain('解析')
      if (i === 0) await shot(page, 'phone-study-quiz-wrong')
      if (right) await expect.poll(() => page.locator('.xc-award-toast').innerText()).toContain('+1 每日答题')
      await page.locator('[data-test=quiz-next]').click()
    }
    expect(new Set(seen).size).toBe(5)
    const summary = page.locator('[data-test=quiz-summary]')
    await expect.poll(() => summary.innerText()).toContain('答对 4 / 5 题')
    expect(await page.locator('[data-test=quiz-points]').innerText()).toContain('获得 4 积分')
    await shot(page, 'phone-study-quiz-summary')

    // The wrong answer is in the 错题本.
    await page.goto(`${server.baseUrl}/study/wrong-book`)
    await expect.poll(() => page.locator('[data-test=wrong-book-list] li').count()).toBe(1)
    expect(await page.locator(`[data-test=wrong-${seen[0]}]`).count()).toBe(1)
  })

  it('首页: the ring and the rule bars went up; 积分明细 lists each award', async () => {
    await page.goto(`${server.baseUrl}/`)
    await expect.poll(ringValue).toBe(1 + 1 + 4) // 登录, 文章选读, 每日答题 ×4
    expect(await ruleText('article')).toBe('1/6')
    expect(await ruleText('daily_quiz')).toBe('4/5')
    expect(await page.locator('[data-test=points-total]').innerText()).toBe('6')
    await shot(page, 'phone-study-home-after')

    await page.locator('[data-test=to-ledger]').click()
    await page.waitForURL(/\/points\/ledger$/)
    await expect.poll(() => page.locator('[data-test=ledger-daily_quiz]').count()).toBe(4)
    expect(await page.locator('[data-test=ledger-article]').count()).toBe(1)
    expect(await page.locator('[data-test=ledger-login]').count()).toBe(1)
    expect(await page.locator('[data-test^=ledger-day-]').first().innerText()).toContain('当日 +6 分')
    await shot(page, 'phone-study-ledger')
  })
})
