// Pictures, the 大屏 sign-in and the rich-text editor in a real browser: a secretary uploads a photo
// to her activity and sees it (thumbnail and large view); the 大屏 shows the activity's sign-in QR
// and code, and a member's sign-in raises its count; an admin writes a study material with a heading
// and a list in the tiptap editor and a member reads it rendered on her phone.
import { describe, expect, it } from 'vitest'
import { DESKTOP, PHONE, loginAs, shot, api as apiJson, tokenFor, useBrowserServer, answerPrivacyNotice } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useBrowserServer()
const PASSWORD = 'Harbor-Lamp-2026'
const api = (method: string, path: string, token: string | null, body?: unknown) => apiJson(env.server, method, path, token, body)
// A real 2×2 PNG (the browser must be able to draw it).
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
)

async function setup() {
  const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const orgs = await api('GET', '/api/orgs', admin)
  const root = orgs.find((o: { parentId: number | null }) => o.parentId === null)
  const tag = Date.now().toString(36)
  const org = await api('POST', '/api/orgs', admin, { name: `照片大屏测试支部${tag}`, parentId: root.id, kind: 'branch' })
  const secretary = await api('POST', '/api/users', admin, {
    username: `e2e_ps_${tag}`,
    name: '王书记',
    password: PASSWORD,
    orgId: org.id,
    role: 'secretary',
  })
  const member = await api('POST', '/api/users', admin, {
    username: `e2e_pm_${tag}`,
    name: '赵党员',
    password: PASSWORD,
    orgId: org.id,
    role: 'member',
  })
  const secToken = await tokenFor(env.server, secretary.username, PASSWORD)
  const activity = await api('POST', '/api/activities', secToken, {
    orgId: org.id,
    type: 'theme_day',
    title: '重温入党誓词主题党日',
    startsAt: new Date().toISOString(),
    endsAt: new Date(Date.now() + 90 * 60_000).toISOString(),
    place: '党员活动室',
  })
  return { admin, secretary, member, activity }
}

describe('activity photos, the 大屏 sign-in and rich text', () => {
  it('a secretary uploads a photo and sees it; the 大屏 shows the QR and counts a member signing in', async () => {
    const { secretary, member, activity } = await setup()
    const desk = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(desk, env.server.baseUrl, secretary.username, PASSWORD)
    await desk.waitForURL(/\/console/)
    await desk.goto(`${env.server.baseUrl}/console/campaign/activities/${activity.id}`)
    await desk.locator('[data-test=activity-photos]').waitFor()
    await desk
      .locator('[data-test=photo-upload] input[type=file]')
      .setInputFiles({ name: '誓词现场.png', mimeType: 'image/png', buffer: PNG })
    const thumb = desk.locator('[data-test=activity-photo] img').first()
    await thumb.waitFor({ timeout: 10_000 })
    expect(await thumb.getAttribute('src')).toMatch(/^\/media\/[a-f0-9]{32}\.png$/)
    // The picture really loads (served back from /media), and a click shows the large view.
    await expect.poll(() => thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBe(2)
    await thumb.click()
    await desk.locator('.el-image-viewer__wrapper').waitFor({ timeout: 5_000 })
    await shot(desk, 'desktop-activity-photo-viewer')
    await desk.keyboard.press('Escape')
    await shot(desk, 'desktop-activity-photos')

    // The 大屏 for this activity: QR, code, and the count of people signed in.
    await desk.goto(`${env.server.baseUrl}/screen?activity=${activity.id}`)
    await desk.locator('[data-test=screen-checkin-qr]').waitFor({ timeout: 10_000 })
    await expect.poll(() => desk.locator('[data-test=screen-title]').innerText()).toBe('重温入党誓词主题党日')
    // Her screen is headed with her own branch, whose figures it shows, not the department's name.
    await expect.poll(() => desk.locator('[data-test=screen-scope]').innerText()).toMatch(/^照片大屏测试支部/)
    expect(await desk.locator('[data-test=screen-checkin-count]').innerText()).toBe('0')
    const code = await desk.locator('[data-test=screen-checkin-code]').getAttribute('data-code')
    expect(code).toMatch(/^\d{6}$/)
    expect((await desk.locator('[data-test=screen-checkin-qr]').getAttribute('src')) ?? '').toMatch(/^data:image\/svg\+xml/)
    await shot(desk, 'bigscreen-checkin')

    // A member signs in on her phone with the code on the screen; the screen's count rises.
    const ctx = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })
    const phone = await ctx.newPage()
    await loginAs(phone, env.server.baseUrl, member.username, PASSWORD)
    await phone.waitForURL((u) => !u.pathname.startsWith('/login'))
    await answerPrivacyNotice(phone)
    await phone.goto(`${env.server.baseUrl}/checkin?code=${code}`)
    await expect.poll(() => phone.locator('body').innerText(), { timeout: 10_000 }).toContain('签到成功')
    await ctx.close()
    await expect.poll(() => desk.locator('[data-test=screen-checkin-count]').innerText(), { timeout: 10_000 }).toBe('1')
    expect(await desk.locator('[data-test=screen-checkin-attendance]').innerText()).toBe('1')

    // /screen alone offers the activities to choose from.
    await desk.goto(`${env.server.baseUrl}/screen`)
    await desk.locator('[data-test=screen-activity-picker]').getByText('重温入党誓词主题党日').first().click()
    await desk.locator('[data-test=screen-checkin-qr]').waitFor({ timeout: 10_000 })
    expect(new URL(desk.url()).searchParams.get('activity')).toBe(String(activity.id))
    await desk.close()
  })

  it('an admin writes a material with a heading and a list in the editor; a member reads it rendered', async () => {
    const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const title = `富文本学习资料 ${Date.now().toString(36)}`
    const desk = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(desk, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await desk.waitForURL(/\/console/)
    await desk.goto(`${env.server.baseUrl}/console/study`)
    await desk.locator('[data-test=sa-add]').click()
    await desk.locator('[data-test=sa-title] input, input[data-test=sa-title]').first().fill(title)
    const editor = desk.locator('[data-test=sa-dialog] [data-test=rich-editor] .ProseMirror')
    await editor.click()
    const focused = () => editor.evaluate((el) => el === document.activeElement)
    await desk.locator('[data-test=sa-dialog] [data-test=rich-h2]').click()
    await expect.poll(focused).toBe(true)
    await desk.keyboard.type('学习要点', { delay: 20 })
    await desk.keyboard.press('Enter')
    await desk.locator('[data-test=sa-dialog] [data-test=rich-ul]').click()
    await expect.poll(focused).toBe(true)
    await desk.keyboard.type('第一条', { delay: 20 })
    await desk.keyboard.press('Enter')
    await desk.keyboard.type('第二条', { delay: 20 })
    await shot(desk, 'desktop-material-tiptap')
    await desk.locator('[data-test=sa-save-publish]').click()
    await desk.locator('[data-test=sa-dialog]').waitFor({ state: 'hidden', timeout: 10_000 })
    await desk.close()

    const found = await api('GET', `/api/study/materials?q=${encodeURIComponent(title)}`, admin)
    expect(found.items).toHaveLength(1)
    const material = await api('GET', `/api/study/materials/${found.items[0].id}`, admin)
    expect(material.bodyHtml).toBe('<h2>学习要点</h2><ul><li><p>第一条</p></li><li><p>第二条</p></li></ul>')

    const ctx = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })
    const phone = await ctx.newPage()
    await loginAs(phone, env.server.baseUrl, 'dy0001', DEMO_PASSWORD)
    await phone.waitForURL((u) => !u.pathname.startsWith('/login'))
    await answerPrivacyNotice(phone)
    await phone.goto(`${env.server.baseUrl}/study/materials/${material.id}`)
    const body = phone.locator('[data-test=reader-body]')
    await body.waitFor({ timeout: 10_000 })
    expect(await body.locator('h2').innerText()).toBe('学习要点')
    expect(await body.locator('ul > li').allInnerTexts()).toEqual(['第一条', '第二条'])
    await shot(phone, 'phone-material-rich-text')
    await ctx.close()
  })
})
