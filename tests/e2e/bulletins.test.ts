// A secretary downloads her 通报: last week 办公室党支部 held a 集中测试 that one member took; the
// admin sends last week's 通报; the secretary opens the console's notifications, taps the 通报, and
// downloads its Excel from the page it opens. The file's first sheet (read with the project's own
// xlsx reader) names her branch and carries the figures the server stored for her.
import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  DESKTOP,
  api as apiJson,
  createOpenExam,
  loginAs,
  shot,
  tokenFor,
  useBrowserServer,
  answerPrivacyNotice,
  recordPageEvents,
} from '../helpers/browser.js'
import { ManualClock } from '../../server/lib/clock.js'
import { firstSheetGrid } from '../helpers/sheets.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const realNow = new Date()
const clock = new ManualClock(realNow)
const env = useBrowserServer(clock)
const api = (method: string, path: string, token: string | null, body?: unknown) => apiJson(env.server, method, path, token, body)

/** Tuesday 09:00 (Beijing) of the last complete week before `at`. */
function tuesdayOfLastWeek(at: Date): Date {
  const beijing = new Date(at.getTime() + 8 * 3_600_000)
  const sinceMonday = (beijing.getUTCDay() + 6) % 7
  const monday = Date.UTC(beijing.getUTCFullYear(), beijing.getUTCMonth(), beijing.getUTCDate() - sinceMonday - 7)
  return new Date(monday + 86_400_000 + 9 * 3_600_000 - 8 * 3_600_000)
}

describe('组织工作通报 in the console', () => {
  it('a secretary opens her notifications and downloads her 通报 xlsx', async () => {
    const { server, browser } = env
    // Last week: a 集中测试 for 办公室党支部, taken by one member.
    clock.set(tuesdayOfLastWeek(realNow))
    let admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const branch = ((await api('GET', '/api/orgs', admin)) as { id: number; name: string }[]).find((o) => o.name === '办公室党支部')!
    const exam = await createOpenExam(env.server, admin, {
      title: '党史知识集中测试（通报）',
      opensAt: clock.now().toISOString(),
      closesAt: new Date(clock.now().getTime() + 3 * 3_600_000).toISOString(),
      audienceOrgIds: [branch.id],
      passScore: 0,
      paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
    })
    const taker = await tokenFor(server, 'dy0001', DEMO_PASSWORD)
    const attempt = await api('POST', `/api/exams/${exam.id}/attempts`, taker, {})
    await api('POST', `/api/attempts/${attempt.attemptId}/submit`, taker)

    // Today: the admin sends last week's 通报 (as the Monday schedule would).
    clock.set(realNow)
    admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const run = await api('POST', '/api/bulletins/run', admin, { period: 'week' })
    expect(run.sent).toBeGreaterThan(0)
    const me = await server.app.db.selectFrom('users').select('id').where('username', '=', 'sj_bgs').executeTakeFirstOrThrow()
    const mine = await server.app.db.selectFrom('circulars').selectAll().where('recipient_id', '=', me.id).executeTakeFirstOrThrow()
    const figures = mine.figures as any
    expect(figures.exams.map((e: any) => e.title)).toEqual(['党史知识集中测试（通报）'])

    const context = await browser.newContext({ viewport: DESKTOP, acceptDownloads: true })
    const page = await context.newPage()
    const events = recordPageEvents(page)
    await loginAs(page, server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await page.waitForURL((u) => !u.pathname.startsWith('/login'))
    await answerPrivacyNotice(page)
    if (!page.url().includes('/console')) await page.goto(`${server.baseUrl}/console`)
    await page.waitForLoadState('networkidle')
    // Pressing the bell and tapping the 通报 are one step, tried until the 通报 page opens. Twice in
    // CI (2026-12-06 and 12-07) the entry left the page between being seen and being tapped, the
    // console just signed in; the second time it was gone from the DOM, not merely hidden (a closed
    // drawer keeps it). The cause is not found: a retry prints what the page did meanwhile (loads,
    // navigations, failed requests, errors), for the next look. A press while the drawer is still
    // appearing lands on its backdrop and closes it (seen on a loaded machine), so the bell is
    // pressed again only once the last press had time to open it.
    const drawer = page.locator('.el-drawer', { hasText: '消息通知' })
    const entry = drawer.locator('button.item', { hasText: mine.title })
    const isItsPage = (u: URL) => u.pathname === '/console/bulletins' && u.searchParams.get('id') === String(mine.id)
    const onBulletins = () => isItsPage(new URL(page.url()))
    let taps = 0
    await expect
      .poll(
        async () => {
          if (onBulletins()) return true
          if (await entry.isVisible()) {
            expect(await entry.count()).toBe(1)
            if (++taps === 1) await shot(page, 'console-bulletin-notification')
            await entry.click({ timeout: 5_000 }).catch(() => undefined)
            await page.waitForURL(isItsPage, { timeout: 5_000 }).catch(() => undefined)
            return onBulletins()
          }
          if (!(await drawer.isVisible())) {
            await page.locator('[data-test=console-notifications]').click({ timeout: 5_000 })
            await drawer.waitFor({ timeout: 5_000 }).catch(() => undefined)
          }
          return false
        },
        { timeout: 40_000 },
      )
      .toBe(true)
    if (taps > 1 || events.loads() > 1) console.warn(`通报: the entry was tapped ${taps} times; the page did:\n${events.lines.join('\n')}`)
    const focused = page.locator(`[data-test=bulletin-${mine.id}]`)
    await expect.poll(() => focused.getAttribute('data-focused')).toBe('true')
    expect(await focused.innerText()).toContain(mine.title)
    await shot(page, 'console-bulletins')

    const [response, download] = await Promise.all([
      page.waitForResponse((r) => r.url().includes(`/api/bulletins/${mine.id}/xlsx`)),
      page.waitForEvent('download'),
      page.locator(`[data-test=bulletin-download-${mine.id}]`).click(),
    ])
    expect(response.status()).toBe(200)
    expect(download.suggestedFilename()).toBe(`${mine.title}.xlsx`)
    const grid = await firstSheetGrid(fs.readFileSync((await download.path())!), 'xlsx')
    const sheet = new Map(grid.map((row) => [row[0], row[1]]))
    expect(sheet.get('标题')).toBe(mine.title)
    expect(sheet.get('单位')).toBe('办公室党支部')
    expect(sheet.get('集中测试场次')).toBe('1')
    expect(sheet.get('应考人次')).toBe(String(figures.examTotals.invited))
    expect(sheet.get('参考人次')).toBe('1')
    expect(sheet.get('缺考人次')).toBe(String(figures.examTotals.invited - 1))
    expect(sheet.get('正文')).toBe(mine.body)

    // Someone else's 通报 is not hers to download, whatever the address says.
    const other = await server.app.db.selectFrom('circulars').select('id').where('recipient_id', '!=', me.id).executeTakeFirstOrThrow()
    const mineToken = await tokenFor(server, 'sj_bgs', DEMO_PASSWORD)
    const res = await fetch(`${server.baseUrl}/api/bulletins/${other.id}/xlsx`, { headers: { Authorization: `Bearer ${mineToken}` } })
    expect(res.status).toBe(404)
    await context.close()
  })

  it('an admin sends it again (nobody gets it twice) and cannot save wording with an unknown placeholder', async () => {
    const { server, browser } = env
    const context = await browser.newContext({ viewport: DESKTOP })
    const page = await context.newPage()
    await loginAs(page, server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL((u) => u.pathname.startsWith('/console'))
    await page.goto(`${server.baseUrl}/console/bulletins`)
    const title = page.locator('input[data-test=bulletins-template-title]')
    await expect.poll(() => title.inputValue()).toBe('{单位}{期间}组织工作通报')
    await page.locator('[data-test=bulletins-run-week]').click()
    await expect.poll(() => page.locator('[data-test=bulletins-run-result]').innerText()).toContain('此前已发送')
    await page.locator('textarea[data-test=bulletins-template-body]').fill('{期间}参考率{考试参预率}')
    await page.locator('[data-test=bulletins-template-save]').click()
    await expect.poll(() => page.locator('.el-message--error').innerText()).toContain('{考试参预率}')
    await shot(page, 'console-bulletins-admin')
    await context.close()
  })
})
