// The tree pickers of the console (统计's 单位, 五学台账, the results' filter, an exam's 题目分类)
// in a real browser. Their options are drawn by a component the build must replace (the Options
// API is compiled out): without it every node was an empty row and the box showed a bare org id.
import { describe, expect, it } from 'vitest'
import { DESKTOP, loginAs, shot, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN } from '../../server/seed/demo.js'

const env = useBrowserServer()

describe('the console tree picker', () => {
  it('shows org names, not ids, and choosing a branch narrows 统计 to it', async () => {
    const page = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    await page.goto(`${env.server.baseUrl}/console/stats`)
    const heading = page.locator('[data-test=stats] h2')
    await expect.poll(() => heading.innerText(), { timeout: 10_000 }).toBe('省工业和信息化厅参与情况统计')

    const picker = page.locator('[data-test=stats-org]').first() // the select; the tree inside carries the attribute too
    // The chosen org is shown by its name (the selected label), never as its id.
    await expect.poll(() => picker.innerText()).toContain('省工业和信息化厅')

    await picker.click()
    const option = page.locator('.el-tree-node__content', { hasText: '办公室党支部' }).first()
    await option.waitFor({ state: 'visible' })
    await shot(page, 'desktop-stats-org-picker')
    await option.click()
    await expect.poll(() => heading.innerText(), { timeout: 10_000 }).toBe('办公室党支部参与情况统计')
    await page.close()
  })
})
