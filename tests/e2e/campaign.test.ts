// The campaign ledger in a real browser: a secretary records a 主题党日 on a desktop and shows the
// sign-in QR and code; three members sign in on phones (one through the QR's link, two by typing
// the code); the tally, the xlsx 台账 and the Word report all show 1 场次 and 3 人次.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { DESKTOP, PHONE, loginAs, shot, api as apiJson, tokenFor, useBrowserServer, answerPrivacyNotice } from '../helpers/browser.js'
import { DEMO_ADMIN } from '../../server/seed/demo.js'

const env = useBrowserServer()
const PASSWORD = 'Harbor-Lamp-2026'
const api = (method: string, path: string, token: string | null, body?: unknown) => apiJson(env.server, method, path, token, body)

/** An input by its data-test, whether the component put the attribute on the input or on its wrapper. */
const inputOf = (page: Page, test: string) => page.locator(`input[data-test=${test}], [data-test=${test}] input`).first()

async function fetchBinary(path: string, token: string) {
  const res = await fetch(`${env.server.baseUrl}${path}`, { headers: { Authorization: `Bearer ${token}` } })
  expect(res.status).toBe(200)
  return res.arrayBuffer()
}

describe('a 主题党日 from recording to report', () => {
  it('records, shows the QR, three phones sign in, and the tally, xlsx and Word report agree', async () => {
    const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const orgs = await api('GET', '/api/orgs', admin)
    const root = orgs.find((o: { parentId: number | null }) => o.parentId === null)
    const org = await api('POST', '/api/orgs', admin, { name: '台账浏览器测试支部', parentId: root.id, kind: 'branch' })
    const tag = Date.now().toString(36)
    const secretary = await api('POST', '/api/users', admin, {
      username: `e2e_sec_${tag}`,
      name: '李书记',
      password: PASSWORD,
      orgId: org.id,
      role: 'secretary',
    })
    const members = []
    for (const i of [1, 2, 3])
      members.push(
        await api('POST', '/api/users', admin, {
          username: `e2e_m${i}_${tag}`,
          name: `党员${i}`,
          password: PASSWORD,
          orgId: org.id,
          role: 'member',
        }),
      )

    // The secretary, at her desk.
    const desk = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(desk, env.server.baseUrl, secretary.username, PASSWORD)
    await desk.waitForURL(/\/console/)
    await desk.locator('[data-test=nav-console-campaign]').click()
    await desk.locator('[data-test=activity-add]').click()
    await inputOf(desk, 'activity-title').fill('学党史回望来时路主题党日')
    await desk.locator('[data-test=activity-save]').click()
    await desk.waitForURL(/\/console\/campaign\/activities\/\d+/)
    await expect.poll(() => desk.locator('[data-test=activity-name]').innerText()).toBe('学党史回望来时路主题党日')
    await desk.locator('[data-test=checkin-show]').click()
    const codeText = desk.locator('[data-test=checkin-code]')
    await expect.poll(() => codeText.innerText(), { timeout: 10_000 }).toMatch(/^\d{6}$/)
    const code = await codeText.innerText()
    expect(await desk.locator('[data-test=checkin-qr]').getAttribute('src')).toMatch(/^data:image\/svg\+xml/)
    await shot(desk, 'desktop-campaign-checkin')

    // Three phones: the first opens the QR's link, the others type the code.
    for (const [i, m] of members.entries()) {
      const ctx = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })
      const phone = await ctx.newPage()
      await loginAs(phone, env.server.baseUrl, m.username, PASSWORD)
      await phone.waitForURL((u) => !u.pathname.startsWith('/login'))
      await answerPrivacyNotice(phone)
      if (i === 0) {
        await phone.goto(`${env.server.baseUrl}/checkin?code=${code}`)
      } else {
        await phone.goto(`${env.server.baseUrl}/checkin`)
        await inputOf(phone, 'checkin-input').fill(code)
        await phone.locator('[data-test=checkin-submit]').click()
      }
      await expect.poll(() => phone.locator('[data-test=checkin-status]').innerText(), { timeout: 10_000 }).toBe('签到成功')
      if (i === 2) {
        // Scanning again is harmless.
        await phone.goto(`${env.server.baseUrl}/checkin?code=${code}`)
        await expect.poll(() => phone.locator('[data-test=checkin-status]').innerText(), { timeout: 10_000 }).toBe('您已签到，无需重复签到')
        await shot(phone, 'phone-campaign-checkin')
      }
      await ctx.close()
    }
    await expect.poll(() => desk.locator('[data-test=checkin-count]').innerText(), { timeout: 15_000 }).toBe('已签到 3 人')

    // The tally on the console page.
    await desk.goto(`${env.server.baseUrl}/console/campaign`)
    await expect.poll(() => desk.locator('[data-test=tally-sessions] .value').innerText(), { timeout: 10_000 }).toBe('1')
    expect(await desk.locator('[data-test=tally-attendance] .value').innerText()).toBe('3')
    await expect.poll(() => desk.locator('[data-test=activity-table]').innerText()).toContain('学党史回望来时路主题党日')
    await shot(desk, 'desktop-campaign-tally')

    // The xlsx 台账 and the Word report say the same.
    const token = await tokenFor(env.server, secretary.username, PASSWORD)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(await fetchBinary('/api/activities/ledger.xlsx', token))
    const sheet = wb.getWorksheet('活动台账')!
    expect(sheet.getRow(3).getCell(4).value).toBe('学党史回望来时路主题党日')
    expect(sheet.getRow(3).getCell(11).value).toBe(3)
    const summary = wb.getWorksheet('分类汇总')!
    const total = summary.getRow(summary.rowCount)
    expect([total.getCell(2).value, total.getCell(3).value]).toEqual([1, 3])
    const zip = await JSZip.loadAsync(await fetchBinary('/api/reports/campaign?format=docx', token))
    const text = (await zip.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '')
    expect(text).toContain('共开展各类学习教育活动1场次，参加人员3人次')
    expect(text).toContain('已开展主题党日活动1次，累计参加人员3人次')

    // The report tab shows the same text.
    await desk.goto(`${env.server.baseUrl}/console/campaign?tab=report`)
    await expect.poll(() => desk.locator('[data-test=report-text]').innerText(), { timeout: 10_000 }).toContain('参加人员3人次')
    await desk.close()
  })
})

describe('月工作提示 written in the rich-text editor', () => {
  it('an admin issues one with tiptap; a member reads it on her phone and the receipt counts', async () => {
    const desk = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(desk, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await desk.waitForURL(/\/console/)
    await desk.goto(`${env.server.baseUrl}/console/campaign?tab=bulletins`)
    await desk.locator('[data-test=bulletin-add]').click()
    await desk.getByPlaceholder('如：5月党史学习教育工作提示').fill('7月党史学习教育工作提示')
    const editor = desk.locator('[data-test=rich-editor] .ProseMirror')
    await editor.click()
    await desk.keyboard.type('请各党组织按时上报台账。')
    await desk.locator('[data-test=rich-editor] button', { hasText: '加粗' }).click()
    // The toolbar hands focus back to the editor; type once it has it, as a person would.
    await expect.poll(() => editor.evaluate((el) => el === document.activeElement)).toBe(true)
    await desk.keyboard.type('重点', { delay: 50 })
    await desk.getByRole('button', { name: '发布工作提示' }).last().click()
    await expect
      .poll(() => desk.locator('[data-test=bulletin-panel]').innerText(), { timeout: 10_000 })
      .toContain('7月党史学习教育工作提示')
    await desk.close()

    const ctx = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })
    const phone = await ctx.newPage()
    await loginAs(phone, env.server.baseUrl, 'dy0001', 'Demo@2026')
    await phone.waitForURL((u) => !u.pathname.startsWith('/login'))
    await answerPrivacyNotice(phone)
    await phone.goto(`${env.server.baseUrl}/campaign/column?tab=bulletins`)
    await phone.getByText('7月党史学习教育工作提示').click()
    await expect
      .poll(() => phone.locator('[data-test=campaign-column] .body').innerHTML(), { timeout: 10_000 })
      .toContain('<strong>重点</strong>')
    await shot(phone, 'phone-campaign-bulletin')
    await ctx.close()
    const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const list = await api('GET', '/api/campaign/bulletins', admin)
    expect(list.find((b: { title: string }) => b.title === '7月党史学习教育工作提示').readers).toBe(1)
  })
})
