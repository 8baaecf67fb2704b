// 个人信息保护法 in the browser: a member who has not chosen yet meets the privacy notice at her
// first login, consents, and her name (no longer 张*) appears on 排行.
import { describe, expect, it } from 'vitest'
import { DESKTOP, PHONE, loginAs, shot, api, tokenFor, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useBrowserServer()

describe('names on 排行 by consent', () => {
  it('first login shows the notice; after consenting her name shows on the points board', async () => {
    // dy0128 (省中小企业服务中心党支部) has not answered the notice in the demo data; she has points this week.
    const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const her = (await api(env.server, 'GET', '/api/users?q=dy0128', admin, undefined)).items[0]
    await api(env.server, 'POST', '/api/points/adjustments', admin, { userId: her.id, points: 30, reason: '线下学习补记' })
    const colleague = await tokenFor(env.server, 'dy0127', DEMO_PASSWORD)
    const before = await api(env.server, 'GET', `/api/leaderboards/points?period=week&orgId=${her.orgId}`, colleague, undefined)
    expect(before.find((r: any) => r.id === her.id).name).toBe(`${Array.from(her.name as string)[0]}*`)

    const context = await env.browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    })
    const page = await context.newPage()
    await loginAs(page, env.server.baseUrl, 'dy0128', DEMO_PASSWORD)
    await page.waitForURL(`${env.server.baseUrl}/`)
    const notice = page.locator('[data-test=privacy-notice]')
    await expect.poll(() => notice.isVisible()).toBe(true)
    expect(await notice.innerText()).toMatch(/我们收集[\s\S]*用途[\s\S]*保存期限/)
    await shot(page, 'phone-privacy-notice')
    await page.locator('[data-test=privacy-agree]').click()
    await expect.poll(() => notice.isVisible()).toBe(false)

    await page.locator('[data-test=tab-rank]').click()
    await page.locator('[data-test=rank-segments] .van-tab', { hasText: '学习积分' }).click()
    const board = page.locator('[data-test=rank-points-board]')
    await expect.poll(() => board.innerText().catch(() => ''), { timeout: 10_000 }).toContain(her.name)
    await shot(page, 'phone-rank-after-consent')

    // A reload does not bring the notice back: the answer is kept.
    await page.reload()
    await page.waitForTimeout(500)
    expect(await notice.isVisible()).toBe(false)
    await context.close()
  })

  it('an admin switches leaderboards off in 合规设置; the change is in 审计日志 and 排行 says so', async () => {
    const desk = await env.browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await desk.newPage()
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    await page.locator('[data-test=nav-console-policy]').click()
    await page.locator('[data-test=policy-boards] label', { hasText: '关闭' }).click()
    await page.locator('[data-test=policy-save]').click()
    await expect
      .poll(() =>
        page
          .locator('.el-message')
          .innerText()
          .catch(() => ''),
      )
      .toContain('已保存')
    await shot(page, 'console-policy')
    await page.locator('[data-test=nav-console-audit]').click()
    await expect.poll(() => page.locator('[data-test=audit-table]').innerText()).toContain('修改合规设置')
    await shot(page, 'console-audit')
    await desk.close()

    const phone = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' })
    const member = await phone.newPage()
    await loginAs(member, env.server.baseUrl, 'dy0001', DEMO_PASSWORD)
    await member.waitForURL(`${env.server.baseUrl}/`)
    await member.locator('[data-test=tab-rank]').click()
    await expect
      .poll(() =>
        member
          .locator('[data-test=rank-off]')
          .innerText()
          .catch(() => ''),
      )
      .toBe('本单位未开启排行榜')
    expect(await member.locator('[data-test=rank-segments]').count()).toBe(0)
    await phone.close()
    await api(env.server, 'PATCH', '/api/policy', await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password), {
      leaderboards: 'opt-in',
    })
  })

  it('投诉建议: a member writes anonymously from 我的; her secretary answers in the console without seeing her name', async () => {
    const content = `希望视频配字幕 ${Date.now() % 100000}`
    const phone = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' })
    const member = await phone.newPage()
    await loginAs(member, env.server.baseUrl, 'dy0002', DEMO_PASSWORD)
    await member.waitForURL(`${env.server.baseUrl}/`)
    await member.locator('[data-test=tab-me]').click()
    await member.locator('[data-test=to-feedback]').click()
    await member.locator('[data-test=feedback-category] button', { hasText: '学习内容' }).click()
    await member.locator('[data-test=feedback-content] textarea').fill(content)
    await member.locator('[data-test=feedback-anonymous]').click()
    await member.locator('[data-test=feedback-submit]').click()
    await expect
      .poll(() =>
        member
          .locator('[data-test=feedback-mine]')
          .innerText()
          .catch(() => ''),
      )
      .toContain(content)
    expect(await member.locator('[data-test=feedback-mine]').innerText()).toContain('待答复')
    await shot(member, 'phone-feedback')

    const desk = await env.browser.newContext({ viewport: DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    const page = await desk.newPage()
    await loginAs(page, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await page.waitForURL(/\/console/)
    await page.locator('[data-test=nav-console-feedback]').click()
    const row = page.locator('[data-test=feedback-table] .el-table__row', { hasText: content })
    await expect.poll(() => row.innerText().catch(() => '')).toContain('匿名')
    const name = (await api(env.server, 'GET', '/api/me', await tokenFor(env.server, 'dy0002', DEMO_PASSWORD), undefined)).name
    expect(await row.innerText()).not.toContain(name)
    await row.locator('button', { hasText: '答复' }).click()
    await page
      .locator('textarea[data-test=feedback-reply-text], [data-test=feedback-reply-text] textarea')
      .first()
      .fill('已转制作方，下周起配字幕。')
    await page.locator('[data-test=feedback-reply-send]').click()
    await expect.poll(() => row.innerText()).toContain('已答复')
    await shot(page, 'console-feedback')
    await desk.close()

    await member.reload()
    await expect
      .poll(() =>
        member
          .locator('[data-test=feedback-mine]')
          .innerText()
          .catch(() => ''),
      )
      .toContain('已转制作方，下周起配字幕。')
    await phone.close()
  })
})
