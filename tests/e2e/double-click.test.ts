// Many of the staff double-click buttons out of habit. A double-click on a button that opens a
// dialog or drawer used to open it and close it again at once: the second click landed on the
// backdrop that had just appeared. It must stay open — and one click on the backdrop still closes.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, loginAs, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN } from '../../server/seed/demo.js'

const env = useBrowserServer()

/** Each page's button that opens a form in a dialog or drawer (the ones that closed again before). */
const OPENERS: [path: string, opener: string][] = [
  ['/console/users', 'users-import'],
  ['/console/users', 'users-add'],
  ['/console/orgs', 'org-add'],
  ['/console/contests', 'contest-new'],
  ['/console/campaign', 'activity-add'],
  ['/console/questions', 'questions-import'],
]

const openDialogs = (page: Page) => page.locator('.el-dialog:visible, .el-drawer:visible').count()

describe('a double-click opens a dialog and leaves it open', () => {
  it('on every form button and on 通知; one click on the backdrop still closes', async () => {
    const page = await env.browser.newPage({ viewport: DESKTOP, locale: 'zh-CN' })
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    const stillOpen: string[] = []
    for (const [path, opener] of OPENERS) {
      await page.goto(`${env.server.baseUrl}${path}`)
      await page.waitForLoadState('networkidle')
      await page.locator(`[data-test=${opener}]`).dblclick()
      await page.waitForTimeout(600) // longer than the opening transition
      if ((await openDialogs(page)) !== 1) stillOpen.push(`${path} ${opener}: closed again`)
    }
    expect(stillOpen).toEqual([])

    // The bell's drawer: a double-click leaves it open, and one click beside it closes it.
    await page.goto(`${env.server.baseUrl}/console/users`)
    await page.waitForLoadState('networkidle')
    const drawer = page.locator('.el-drawer', { hasText: '消息通知' })
    await page.locator('[data-test=console-notifications]').dblclick()
    await page.waitForTimeout(600)
    expect(await drawer.isVisible()).toBe(true)
    await page.mouse.click(100, 400) // on the backdrop, left of the 420 px drawer
    await expect.poll(() => drawer.isVisible()).toBe(false)
    await page.close()
  }, 120_000)
})
