// Issue 13 item 11 (适老化): axe-core on every member page, in normal and 大字模式, on a 390 px
// phone: 0 serious or critical violations (WCAG 2.1 AA, contrast ≥ 4.5:1 included). 大字模式
// gives ≥ 18 px body and 22 px questions, touch targets ≥ 48 px and layouts that wrap at 320 px.
// axe's source is evaluated through the DevTools protocol (page.evaluate), which the app's CSP
// (script-src 'self') does not govern; the app itself runs under its real CSP.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import {
  PHONE,
  launchBrowser,
  loginAs,
  openTouchContext,
  shot,
  startServer,
  type E2EServer,
  api as apiJson,
  createOpenExam,
  createThemeDay,
  tokenFor,
} from '../helpers/browser.js'
import { FORM_DIALOGS, OPEN_DIALOG } from '../helpers/console-dialogs.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const SMALL_PHONE = { width: 320, height: 640 }
/** An iPad Air upright: the console's tablet layout (top bar, drawer menu, controls sized for a finger). */
const TABLET = { width: 820, height: 1180 }
let server: E2EServer
let browser: Browser
const ids: Record<string, number> = {}

beforeAll(async () => {
  server = await startServer()
  browser = await launchBrowser()
  const admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const orgs = await apiJson(server, 'GET', '/api/orgs', admin)
  const branch = orgs.find((o: any) => o.name === '办公室党支部').id
  const exam = (title: string) =>
    createOpenExam(server, admin, {
      title,
      audienceOrgIds: [branch],
      passScore: 30,
      // From one category: practice holds back every question an exam she can still sit may draw,
      // and exams drawing from the whole bank left her 每日答题 empty, so axe never saw a question there.
      paper: {
        rules: (['judge', 'single', 'multiple', 'fill'] as const).map((type) => ({ category: '党章党规', type, count: 1, scoreEach: 25 })),
      },
    })
  ids.open = (await exam('无障碍检查·作答')).id
  ids.done = (await exam('无障碍检查·成绩')).id
  const member = await tokenFor(server, 'dy0001', DEMO_PASSWORD)
  const a = await apiJson(server, 'POST', `/api/exams/${ids.done}/attempts`, member, {})
  await apiJson(server, 'POST', `/api/attempts/${a.attemptId}/submit`, member, {})
  ids.attempt = a.attemptId
  ids.material = (await apiJson(server, 'GET', '/api/study/materials?pageSize=1', member)).items[0].id
  // An activity of the branch, for its own page in the campaign ledger.
  const secretary = await tokenFor(server, 'sj_bgs', DEMO_PASSWORD)
  ids.activity = await createThemeDay(server, secretary, branch)
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const MEMBER_PAGES = () =>
  [
    ['home', '/'],
    ['study', '/study'],
    ['material', `/study/materials/${ids.material}`],
    ['daily-quiz', '/study/quiz/daily'],
    ['challenge', '/study/challenge'],
    ['wrong-book', '/study/wrong-book'],
    ['exams', '/exams'],
    ['exam-intro', `/exams/${ids.open}`],
    ['exam-take', `/exams/${ids.open}/take`],
    ['attempt', `/attempts/${ids.attempt}`],
    ['rank', '/rank'],
    ['me', '/me'],
    ['ledger', '/points/ledger'],
  ] as const

interface Violation {
  id: string
  impact: string
  help: string
  nodes: { target: string[]; html: string; failureSummary?: string }[]
}
async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE)
  return page.evaluate(async () => {
    const r = await (window as any).axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    })
    return r.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n: any) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
      }))
  })
}

/** One line a node: element-plus's ids (#el-id-…) say little, so the element's own html too. */
const findings = (where: string, violations: Violation[]) =>
  violations.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `${where}: ${v.id} (${v.impact}) ${n.target.join(' ')} ${n.html.slice(0, 160)} — ${n.failureSummary?.split('\n')[1]?.trim() ?? v.help}`,
    ),
  )

async function memberPage(large: boolean, viewport = PHONE) {
  const { context, page } = await openTouchContext(browser, server.baseUrl, viewport, 'dy0001', DEMO_PASSWORD)
  await page.waitForURL(`${server.baseUrl}/`)
  await page.evaluate((on) => localStorage.setItem('xuece.largeText', on ? '1' : '0'), large)
  return { context, page }
}

async function settle(page: Page) {
  await page.waitForLoadState('networkidle')
  await page.waitForFunction(() => !document.querySelector('.van-loading'), undefined, { timeout: 10_000 }).catch(() => {})
  await page.waitForTimeout(300) // transitions
}

describe('适老化: axe-core on every member page', () => {
  for (const large of [false, true]) {
    it(`0 serious or critical violations ${large ? 'in 大字模式' : 'in normal mode'} (390 px)`, async () => {
      const { context, page } = await memberPage(large)
      const found: string[] = []
      for (const [name, path] of MEMBER_PAGES()) {
        await page.goto(`${server.baseUrl}${path}`)
        await settle(page)
        expect(await page.evaluate(() => document.documentElement.classList.contains('xc-large'))).toBe(large)
        if (name === 'daily-quiz') expect(await page.locator('article.question').count(), '每日答题 shows a question to check').toBe(1)
        for (const v of await axe(page))
          found.push(
            `${name}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`).join(' | ')}`,
          )
        if (large) await shot(page, `a11y-large-${name}`)
      }
      expect(found).toEqual([])
      await context.close()
    }, 120_000)
  }
})

// Secretaries and admins read the console at their desks and on tablets, many in their fifties, some with a
// screen reader or the browser zoomed: the full WCAG 2.1 A/AA set, as on the member pages —
// contrast, and every progress bar, filter, icon button and table header named.
const CONSOLE_PAGES = {
  admin: () => [
    '/console/exams',
    `/console/exams/${ids.done}/results`,
    `/console/exams/${ids.open}/edit`,
    `/console/monitor?examId=${ids.open}`,
    '/console/stats',
    '/console/users',
    '/console/questions',
    '/console/audit',
    '/console/campaign',
    '/console/campaign?tab=tasks',
    '/console/campaign?tab=bulletins',
    '/console/campaign?tab=briefings',
    '/console/campaign?tab=report',
    `/console/campaign/activities/${ids.activity}`,
    '/console/exams/new',
    '/console/orgs',
    '/console/study',
    '/console/policy',
    '/console/feedback',
    '/console/comments',
    '/console/contests',
    '/console/bulletins',
  ],
  secretary: () => [
    '/console/exams',
    `/console/exams/${ids.done}/results`,
    `/console/monitor?examId=${ids.open}`,
    '/console/stats',
    '/console/users',
    '/console/campaign',
    '/console/campaign?tab=tasks',
    '/console/campaign?tab=bulletins',
    '/console/campaign?tab=briefings',
    '/console/campaign?tab=report',
    `/console/campaign/activities/${ids.activity}`,
    '/console/study',
    '/console/feedback',
    '/console/comments',
    '/console/contests',
    '/console/bulletins',
  ],
}
const STAFF = [
  ['admin', DEMO_ADMIN.username, DEMO_ADMIN.password],
  ['secretary', 'sj_bgs', DEMO_PASSWORD],
] as const

/** axe's findings on each console page in turn (`at`, the width, named after each path). */
async function consoleFindings(page: Page, paths: string[], at = '') {
  const found: string[] = []
  for (const path of paths) {
    await page.goto(`${server.baseUrl}${path}`)
    await page.waitForLoadState('networkidle')
    await page.waitForFunction(() => !document.querySelector('.el-loading-mask'), undefined, { timeout: 10_000 }).catch(() => {})
    await page.waitForTimeout(500) // charts and transitions
    expect(new URL(page.url()).pathname, 'the page itself, not a redirect').toBe(path.split('?')[0])
    found.push(...findings(`${path}${at}`, await axe(page)))
  }
  return found
}

describe('适老化: axe-core on the console', () => {
  for (const [who, username, password] of STAFF) {
    it(`0 serious or critical violations on the pages ${who === 'admin' ? 'an admin' : 'a secretary'} lives in (1366 px)`, async () => {
      const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' })
      await loginAs(page, server.baseUrl, username, password)
      await page.waitForURL(/\/console/)
      expect(await consoleFindings(page, CONSOLE_PAGES[who]())).toEqual([])
      await page.close()
    }, 180_000)
  }
})

describe('适老化: axe-core on the console on a phone', () => {
  // Below 768 px the console is a top bar and a drawer menu: the same rule set on what is new there.
  it('0 serious or critical violations on a secretary’s pages and with the menu open (390 px)', async () => {
    const { context, page } = await openTouchContext(browser, server.baseUrl, PHONE, 'sj_bgs', DEMO_PASSWORD)
    const found: string[] = []
    const check = async (where: string) => found.push(...findings(where, await axe(page)))
    for (const path of ['/console/exams', '/console/stats', `/console/exams/${ids.done}/results`]) {
      await page.goto(`${server.baseUrl}${path}`)
      await page.waitForLoadState('networkidle')
      await page.waitForTimeout(500)
      await check(path)
    }
    await page.locator('[data-test=console-menu-button]').click()
    await page.locator('.el-drawer:visible').waitFor()
    await page.waitForTimeout(400)
    await check('menu drawer')
    expect(found).toEqual([])
    await context.close()
  }, 120_000)
})

describe('适老化: axe-core on the console on a tablet', () => {
  // Below 1280 px an iPad gets the phone's chrome (a top bar, the menu in a drawer), the pages the
  // whole width and every control sized for a finger: the same rule set on every page and the menu.
  for (const [who, username, password] of STAFF) {
    it(`0 serious or critical violations on the pages ${who === 'admin' ? 'an admin' : 'a secretary'} lives in and with the menu open (820 px)`, async () => {
      const { context, page } = await openTouchContext(browser, server.baseUrl, TABLET, username, password)
      const found = await consoleFindings(page, CONSOLE_PAGES[who](), ' at 820 px')
      await page.locator('[data-test=console-menu-button]').tap()
      await page.locator('.el-drawer:visible').waitFor()
      await page.waitForTimeout(400)
      found.push(...findings('menu drawer at 820 px', await axe(page)))
      expect(found).toEqual([])
      await context.close()
    }, 240_000)
  }
})

describe('适老化: axe-core on the console’s dialogs', () => {
  // The forms staff fill in open as dialogs over the page (new person, import, new question, …):
  // each is checked open, against the same rule set. The page behind has none of its own (above),
  // so whatever is found is the dialog's.
  it('0 serious or critical violations with each form dialog open (admin, 1366 px)', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN' })
    await loginAs(page, server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    const found: string[] = []
    for (const [path, opener] of FORM_DIALOGS) {
      await page.goto(`${server.baseUrl}${path}`)
      await page.waitForLoadState('networkidle')
      await page.locator(`[data-test=${opener}]`).click()
      const dialog = page.locator(OPEN_DIALOG).last()
      await dialog.waitFor()
      await page.waitForTimeout(400) // the opening transition
      found.push(...findings(`${path} ${opener}`, await axe(page)))
    }
    expect(found).toEqual([])
    await page.close()
  }, 180_000)
})

describe('适老化: 大字模式', () => {
  const sizes = (page: Page, selector: string) =>
    page.locator(selector).evaluateAll((els) =>
      els
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .map((e) => ({
          text: (e.textContent ?? '').trim().slice(0, 20),
          font: parseFloat(getComputedStyle(e).fontSize),
          h: e.getBoundingClientRect().height,
          w: e.getBoundingClientRect().width,
        })),
    )

  it('the switch in 我的 turns it on: ≥ 18 px body, 22 px questions, touch targets ≥ 48 px', async () => {
    const { context, page } = await memberPage(false)
    await page.evaluate(() => localStorage.removeItem('xuece.largeText'))
    await page.goto(`${server.baseUrl}/me`)
    await shot(page, 'a11y-me-normal')
    await page.locator('[data-test=large-text]').click()
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('xc-large'))).toBe(true)
    expect(await page.evaluate(() => localStorage.getItem('xuece.largeText'))).toBe('1')
    await shot(page, 'a11y-me-large')
    for (const c of await sizes(page, '.van-cell__title')) expect(c.font, c.text).toBeGreaterThanOrEqual(18)
    for (const c of await sizes(page, '.van-cell')) expect(c.h, c.text).toBeGreaterThanOrEqual(48)
    for (const c of await sizes(page, '.van-tabbar-item')) expect(c.h, c.text).toBeGreaterThanOrEqual(48)

    // The exam page: question 22 px, options 18 px, every control a 48 px target.
    await page.goto(`${server.baseUrl}/exams/${ids.open}/take`)
    await settle(page)
    expect((await sizes(page, '.question .stem'))[0].font).toBeGreaterThanOrEqual(22)
    for (const c of await sizes(page, '.question .option')) {
      expect(c.font, c.text).toBeGreaterThanOrEqual(18)
      expect(c.h, c.text).toBeGreaterThanOrEqual(48)
    }
    for (const c of await sizes(page, '.bar .van-button, [data-test=mark]')) expect(c.h, c.text).toBeGreaterThanOrEqual(48)
    await page.locator('[data-test=open-card]').click()
    for (const c of await sizes(page, '[data-test=answer-card] .grid button')) {
      expect(c.h).toBeGreaterThanOrEqual(48)
      expect(c.w).toBeGreaterThanOrEqual(48)
    }
    await shot(page, 'a11y-large-exam-card')
    // Switching back off.
    await page.goto(`${server.baseUrl}/me`)
    await page.locator('[data-test=large-text]').click()
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('xc-large'))).toBe(false)
    await context.close()
  })

  for (const large of [false, true]) {
    it(`reflows instead of clipping on a 320 px phone: no page scrolls sideways (${large ? '大字模式' : 'normal'})`, async () => {
      const { context, page } = await memberPage(large, SMALL_PHONE)
      const wide: string[] = []
      for (const [name, path] of MEMBER_PAGES()) {
        await page.goto(`${server.baseUrl}${path}`)
        await settle(page)
        const w = await page.evaluate(() => document.documentElement.scrollWidth)
        if (w > SMALL_PHONE.width) wide.push(`${name}: ${w}px`)
        if (large && ['home', 'exam-take', 'exam-intro', 'attempt', 'rank'].includes(name)) await shot(page, `a11y-320-large-${name}`)
      }
      expect(wide).toEqual([])
      await context.close()
    }, 120_000)
  }

  it("follows the phone's text size until the member chooses", async () => {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', serviceWorkers: 'block' })
    const page = await context.newPage()
    const cdp = await context.newCDPSession(page)
    await cdp.send('Page.enable')
    await cdp.send('Page.setFontSizes', { fontSizes: { standard: 20 } }) // the system's "large text"
    await loginAs(page, server.baseUrl, 'dy0002', DEMO_PASSWORD)
    await page.waitForURL(`${server.baseUrl}/`)
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('xc-large'))).toBe(true)
    await page.evaluate(() => localStorage.setItem('xuece.largeText', '0'))
    await page.reload()
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('xc-large'))).toBe(false)
    await context.close()
  })
})
