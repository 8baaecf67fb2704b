import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import { DESKTOP, launchBrowser, loginAs, shot, startServer, type E2EServer } from '../helpers/browser.js'
import { DEMO_ADMIN } from '../../server/seed/demo.js'
import { xlsx } from '../helpers/sheets.js'

let server: E2EServer
let browser: Browser
beforeAll(async () => {
  server = await startServer()
  browser = await launchBrowser()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const HEADER = ['题型', '题干', '选项A', '选项B', '选项C', '选项D', '选项E', '选项F', '答案', '解析', '难度', '分类', '标签', '出处']
const rows = (badAnswer: string) => [
  [
    '单选',
    '浏览器导入测试：遵义会议召开于哪一年？',
    '1934年',
    '1935年',
    '1936年',
    '1937年',
    '',
    '',
    'B',
    '1935年1月召开。',
    2,
    '党史/新民主主义革命时期',
    '遵义会议',
    '《中国共产党简史》',
  ],
  ['判断', '浏览器导入测试：三线建设始于20世纪60年代。', '', '', '', '', '', '', '正确', '1964年起。', 1, '三线精神', '', '三线建设史料'],
  [
    '单选',
    '浏览器导入测试：中国天眼位于哪个省？',
    '贵州',
    '云南',
    '四川',
    '广西',
    '',
    '',
    badAnswer,
    '位于贵州平塘。',
    2,
    '贵州工业发展史',
    '',
    '公开资料',
  ],
]

describe('a new admin imports questions from the template', () => {
  it('sees the bad row in the dry run, fixes it, imports, and finds the questions by search', async () => {
    const page = await browser.newPage({ viewport: DESKTOP })
    await loginAs(page, server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    await page.goto(`${server.baseUrl}/console/questions`)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qimport-'))
    const bad = path.join(dir, 'bad.xlsx')
    const good = path.join(dir, 'good.xlsx')
    fs.writeFileSync(bad, await xlsx(HEADER, rows('E')))
    fs.writeFileSync(good, await xlsx(HEADER, rows('A')))

    await page.locator('[data-test=questions-import]').click()
    await page.locator('[data-test=question-import-upload] input[type=file]').setInputFiles(bad)
    const errors = page.locator('[data-test=question-import-errors]')
    await expect.poll(() => errors.innerText()).toMatch(/4[\s\S]*E/)
    expect(await page.locator('[data-test=question-import-commit]').isDisabled()).toBe(true)
    await shot(page, 'desktop-question-import-error')

    await page.getByRole('button', { name: '重新选择' }).click()
    await page.locator('[data-test=question-import-upload] input[type=file]').setInputFiles(good)
    await expect.poll(() => page.locator('[data-test=question-import-ok]').count()).toBe(1)
    // As drafts: nothing imported is drawn into an exam before someone has reviewed it.
    await page.locator('[data-test=question-import-draft]').click()
    await page.locator('[data-test=question-import-commit]').click()
    await expect.poll(() => page.locator('[data-test=question-import-done]').innerText()).toContain('3')
    await page.locator('[data-test=question-import]').getByRole('button', { name: '关闭' }).last().click()
    await expect.poll(() => page.locator('[data-test=question-import]').isVisible()).toBe(false)

    await page.locator('input[data-test=questions-search], [data-test=questions-search] input').first().fill('浏览器导入测试')
    await page.locator('[data-test=questions-search-btn]').click()
    await expect.poll(() => page.locator('[data-test=questions-table]').innerText()).toContain('中国天眼位于哪个省')
    const text = await page.locator('[data-test=questions-table]').innerText()
    expect(text).toContain('遵义会议召开于哪一年')
    expect(text).toContain('草稿')
    expect(text).not.toContain('已发布')
    await shot(page, 'desktop-question-search')
    await page.close()
  })
})
