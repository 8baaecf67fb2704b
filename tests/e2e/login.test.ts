import ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { DESKTOP, PHONE, loginAs, shot, api, tokenFor, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'
import { xlsx } from '../helpers/sheets.js'
import { hashPool, type HashPlace } from '../../server/lib/passwords.js'
import { ManualClock } from '../../server/lib/clock.js'
import { PROGRESS_STALE_MS, progressWriter } from '../../server/modules/users/progress.js'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const env = useBrowserServer()

/**
 * Runs `during` with every place in the server's hashing queue taken, as a crowd arriving at 9:00
 * takes them (the server answers anything that hashes 503 + Retry-After), then lets the crowd through
 * and runs `after`, which should see the page get its turn without anyone pressing anything.
 */
async function inLoginStorm(during: () => Promise<void>, after: () => Promise<void>) {
  const places: HashPlace[] = []
  try {
    while (!hashPool.full) places.push(hashPool.admit())
    await during()
    for (const place of places.splice(0)) place.release()
    await after()
  } finally {
    for (const place of places) place.release()
  }
}

describe('logging in', () => {
  it('a secretary on a phone sees the member shell with its five tabs', async () => {
    const context = await env.browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN' })
    const page = await context.newPage()
    await loginAs(page, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await page.waitForURL(`${env.server.baseUrl}/`)
    const tabbar = page.locator('[data-test=tabbar]')
    await expect.poll(() => tabbar.innerText()).toMatch(/首页[\s\S]*学习[\s\S]*考试[\s\S]*排行[\s\S]*我的/)
    await shot(page, 'phone-secretary-home')
    await page.locator('[data-test=tab-me]').click()
    await expect.poll(() => page.locator('[data-test=me-org]').innerText()).toContain('办公室党支部')
    expect(await page.locator('[data-test=to-console]').count()).toBe(1)
    await shot(page, 'phone-secretary-me')
    await context.close()
  })

  it('a wrong password shows a Chinese error and stays on the login page', async () => {
    const page = await env.browser.newPage({ viewport: PHONE })
    await loginAs(page, env.server.baseUrl, 'dy0001', 'wrong-password')
    await expect.poll(() => page.locator('[data-test=login-error]').innerText()).toContain('用户名或密码错误')
    expect(new URL(page.url()).pathname).toBe('/login')
    await page.close()
  })

  it('a secretary on a desktop gets the console, scoped to her branch', async () => {
    const page = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(page, env.server.baseUrl, 'sj_bgs', DEMO_PASSWORD)
    await page.waitForURL(/\/console/)
    await expect.poll(() => page.locator('[data-test=users-table]').innerText()).toContain('办公室党支部')
    const text = await page.locator('[data-test=users-table]').innerText()
    expect(text).not.toContain('电子信息处党支部')
    // Admin-only areas are not offered to a secretary.
    expect(await page.locator('[data-test=nav-console-orgs]').count()).toBe(0)
    await shot(page, 'desktop-secretary-console')
    await page.close()
  })

  it('an expired session refreshes silently, and a revoked one returns to login', async () => {
    const page = await env.browser.newPage({ viewport: PHONE })
    await loginAs(page, env.server.baseUrl, 'dy0002', DEMO_PASSWORD)
    await page.waitForURL(`${env.server.baseUrl}/`)
    // Break the access token: the app must refresh and carry on.
    await page.evaluate(() => {
      const saved = JSON.parse(localStorage.getItem('xuece.auth')!)
      saved.accessToken = 'expired'
      localStorage.setItem('xuece.auth', JSON.stringify(saved))
    })
    await page.goto(`${env.server.baseUrl}/me`)
    await expect.poll(() => page.locator('[data-test=me-org]').innerText()).toContain('办公室党支部')
    // Now break both tokens: back to login with a message.
    await page.evaluate(() => {
      localStorage.setItem(
        'xuece.auth',
        JSON.stringify({ ...JSON.parse(localStorage.getItem('xuece.auth')!), accessToken: 'x', refreshToken: 'y.z' }),
      )
    })
    await page.goto(`${env.server.baseUrl}/me`)
    await page.waitForURL(/\/login/)
    await expect.poll(() => page.locator('[data-test=login-error]').innerText()).toContain('重新登录')
    await page.close()
  })

  it('in a login storm the page says it is queueing, counts down, and gets in by itself', async () => {
    // The server answers this login 503 + Retry-After, and the page waits it out on its own.
    const page = await env.browser.newPage({ viewport: PHONE })
    const notice = page.locator('[data-test=busy-queue]')
    await inLoginStorm(
      async () => {
        await loginAs(page, env.server.baseUrl, 'dy0003', DEMO_PASSWORD)
        await expect.poll(() => notice.innerText()).toContain('登录的人较多，正在排队')
        expect(await page.locator('[data-test=busy-queue-seconds]').innerText()).toMatch(/约 \d+ 秒后自动重新登录|正在重新登录/)
        expect(await page.locator('[data-test=login-submit]').innerText()).toContain('排队中')
        await shot(page, 'phone-login-queue')
      },
      () => page.waitForURL(`${env.server.baseUrl}/`, { timeout: 30_000 }),
    )
    expect(await notice.count()).toBe(0)
    await page.close()
  })

  it('a password change in a login storm waits its turn the same way, and goes through', async () => {
    // First logins of imported people change their password at 9:00, among everyone else's logins.
    const page = await env.browser.newPage({ viewport: PHONE })
    await loginAs(page, env.server.baseUrl, 'dy0119', DEMO_PASSWORD)
    await page.waitForURL(`${env.server.baseUrl}/`)
    await page.goto(`${env.server.baseUrl}/password`)
    const fresh = 'Qingming-Shanghe-2026'
    await page.locator('[data-test=current-password] input').fill(DEMO_PASSWORD)
    await page.locator('[data-test=new-password] input').fill(fresh)
    await page.locator('[data-test=repeat-password] input').fill(fresh)
    await inLoginStorm(
      async () => {
        await page.locator('[data-test=password-submit]').click()
        const notice = page.locator('[data-test=busy-queue]')
        await expect.poll(() => notice.innerText()).toContain('正在排队')
        expect(await notice.innerText()).toMatch(/约 \d+ 秒后自动重新提交|正在重新提交/)
        expect(await notice.innerText()).toContain('也不用再点“确认修改”')
      },
      () => page.waitForURL(`${env.server.baseUrl}/`, { timeout: 30_000 }),
    )
    await page.close()
    expect(await tokenFor(env.server, 'dy0119', fresh)).toBeTruthy()
  })
})

describe('admin console', () => {
  it('imports a users file with one bad row: the row is reported and nothing is written', async () => {
    const page = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    const file = path.join(os.tmpdir(), `people-${process.pid}.xlsx`)
    fs.writeFileSync(
      file,
      await xlsx(
        ['用户名', '姓名', '组织', '角色', '初始密码'],
        [
          ['e2e001', '测试甲', '办公室党支部', '党员', 'Init2026a'],
          ['e2e002', '测试乙', '没有这个支部', '党员', 'Init2026a'],
        ],
      ),
    )
    await page.locator('[data-test=users-import]').click()
    await page.locator('[data-test=import-upload] input[type=file]').setInputFiles(file)
    const errors = page.locator('[data-test=import-errors]')
    await expect.poll(() => errors.innerText()).toContain('没有这个支部')
    expect(await errors.innerText()).toContain('3')
    // The alert does not call a run with a bad row "passed"; it says what the other row would do.
    const alert = await page.locator('[data-test=import-bad]').innerText()
    expect(alert).not.toContain('预检通过')
    expect(alert).toContain('其余各行无误：可新建 1 人')
    await shot(page, 'desktop-admin-import-errors')
    expect(await page.locator('[data-test=import-commit]').isDisabled()).toBe(true)
    const found = await api(env.server, 'GET', '/api/users?q=e2e00', await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password))
    expect(found.total).toBe(0)
    await page.close()
  })

  it('a new person’s form marks every missing field in Chinese at once, before asking the server', async () => {
    const page = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    await page.goto(`${env.server.baseUrl}/console/users`)
    await page.locator('[data-test=users-add]').click()
    const posts: string[] = []
    page.on('request', (r) => r.method() === 'POST' && r.url().includes('/api/users') && posts.push(r.url()))
    // No unit chosen in the tree: the form opens without an org.
    await page.locator('[data-test=user-save]').click()
    const errors = page.locator('.el-dialog .el-form-item__error')
    await expect
      .poll(() => errors.allInnerTexts())
      .toEqual(['请填写用户名（工号或手机号）', '请填写姓名', '请设置初始密码', '请选择所在组织'])
    expect(posts).toEqual([])
    await shot(page, 'desktop-user-form-errors')
    await page.close()
  })

  it('passwords the import generated are shown once and download as an xlsx to hand out', async () => {
    const page = await env.browser.newPage({ viewport: DESKTOP, acceptDownloads: true })
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    const file = path.join(os.tmpdir(), `people-generated-${process.pid}.xlsx`)
    fs.writeFileSync(
      file,
      await xlsx(
        ['用户名', '姓名', '组织', '角色', '初始密码'],
        [
          ['e2e201', '生成甲', '办公室党支部', '党员', ''],
          ['e2e202', '生成乙', '办公室党支部', '党员', ''],
        ],
      ),
    )
    await page.locator('[data-test=users-import]').click()
    await page.locator('[data-test=import-upload] input[type=file]').setInputFiles(file)
    await expect.poll(() => page.locator('[data-test=import-ok]').count(), { timeout: 15_000 }).toBe(1)
    await page.locator('[data-test=import-commit]').click()
    const shown = page.locator('[data-test=import-generated-passwords]')
    await expect.poll(() => shown.innerText(), { timeout: 30_000 }).toContain('e2e202')
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=download-generated-passwords]').click()])
    expect(download.suggestedFilename()).toBe('账号和初始密码.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile((await download.path())!)
    const rows = wb.getWorksheet('初始密码')!.getSheetValues().slice(2, 4) as unknown[][]
    expect(rows.map((r) => [r[1], r[2]])).toEqual([
      ['e2e201', '生成甲'],
      ['e2e202', '生成乙'],
    ])
    // The same passwords the dialog shows, and they sign in.
    const password = String(rows[0][3])
    expect(await shown.innerText()).toContain(password)
    expect(await tokenFor(env.server, 'e2e201', password)).toBeTruthy()
    await page.close()
  })

  it('a workbook with a 说明 sheet first: the dialog says it skipped it, and a long import shows rows done', async () => {
    const page = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('说明').addRows([['填写说明'], ['第 1 行为表头，每人一行']])
    // Blank 初始密码: 150 generated passwords to hash, a few seconds of work after the upload is done.
    wb.addWorksheet('人员').addRows([
      ['用户名', '姓名', '组织', '角色', '初始密码'],
      ...Array.from({ length: 150 }, (_, i) => [`e2e3${String(i).padStart(2, '0')}`, '进度', '办公室党支部', '党员', '']),
    ])
    const file = path.join(os.tmpdir(), `people-progress-${process.pid}.xlsx`)
    fs.writeFileSync(file, Buffer.from(await wb.xlsx.writeBuffer()))
    await page.locator('[data-test=users-import]').click()
    await page.locator('[data-test=import-upload] input[type=file]').setInputFiles(file)
    await expect.poll(() => page.locator('[data-test=import-ok]').count(), { timeout: 15_000 }).toBe(1)
    expect(await page.locator('[data-test=import-notes]').innerText()).toContain('已跳过工作表「说明」：不是人员表')
    await page.locator('[data-test=import-commit]').click()
    const busy = page.locator('[data-test=import-busy]')
    await expect.poll(() => busy.innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/已处理 \d+ \/ 150 人/)
    expect(await page.locator('[data-test=import-server-progress]').count()).toBe(1)
    await shot(page, 'desktop-admin-import-progress')
    await expect.poll(() => page.locator('[data-test=import-done]').count(), { timeout: 60_000 }).toBe(1)
    expect(await page.locator('[data-test=import-done]').innerText()).toContain('导入完成：新建 150 人')
    await page.close()
  })

  it('an import turned away by a login storm says it is queueing and goes through by itself', async () => {
    // Imported people get hashed initial passwords; while a 9:00 crowd holds every hashing place the
    // server answers the import 503 + Retry-After, and the dialog waits that out instead of failing.
    const page = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    const file = path.join(os.tmpdir(), `people-storm-${process.pid}.xlsx`)
    fs.writeFileSync(
      file,
      await xlsx(['用户名', '姓名', '组织', '角色', '初始密码'], [['e2e101', '测试丙', '办公室党支部', '党员', 'Init2026a']]),
    )
    await page.locator('[data-test=users-import]').click()
    await page.locator('[data-test=import-upload] input[type=file]').setInputFiles(file)
    await expect.poll(() => page.locator('[data-test=import-ok]').count(), { timeout: 15_000 }).toBe(1)
    const notice = page.locator('[data-test=busy-queue]')
    await inLoginStorm(
      async () => {
        await page.locator('[data-test=import-commit]').click()
        await expect.poll(() => notice.innerText()).toContain('服务器正忙，文件正在排队')
        expect(await notice.innerText()).toMatch(/约 \d+ 秒后自动重新上传|正在重新上传/)
        expect(await notice.innerText()).toContain('也不用再点“确认导入”')
        await shot(page, 'desktop-admin-import-queue')
        // Not closable while the file is on its way: the generated passwords would go with it. (No
        // Esc here: the storm may end and the import finish at any moment, and then Esc closes.)
        expect(await page.locator('.el-dialog__headerbtn').count()).toBe(0)
      },
      () => expect.poll(() => page.locator('[data-test=import-done]').count(), { timeout: 30_000 }).toBe(1),
    )
    expect(await notice.count()).toBe(0)
    // Said as done, not as the dry run's "预检通过" again.
    expect(await page.locator('[data-test=import-done]').innerText()).toContain('导入完成：新建 1 人')
    const found = await api(env.server, 'GET', '/api/users?q=e2e101', await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password))
    expect(found.total).toBe(1)
    await page.close()
  })

  it('an import whose server went away mid-way says so in plain words, and says when it cannot even ask', async () => {
    const page = await env.browser.newPage({ viewport: DESKTOP })
    await loginAs(page, env.server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    const token = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const adminId = (await api(env.server, 'GET', '/api/me', token)).id
    const file = path.join(os.tmpdir(), `people-interrupted-${process.pid}.xlsx`)
    fs.writeFileSync(
      file,
      await xlsx(['用户名', '姓名', '组织', '角色', '初始密码'], [['e2e401', '测试丁', '办公室党支部', '党员', 'Init2026a']]),
    )
    await page.locator('[data-test=users-import]').click()
    await page.locator('[data-test=import-upload] input[type=file]').setInputFiles(file)
    await expect.poll(() => page.locator('[data-test=import-ok]').count(), { timeout: 15_000 }).toBe(1)

    // Polls get no answer at first, as while the server restarts.
    let pollsDown = true
    await page.route('**/api/users/import/progress/**', (route) => (pollsDown ? route.abort('connectionrefused') : route.continue()))
    // The real import: its process got as far as hashing and was gone — its row stays as it last
    // wrote it (stamped half a minute ago: what a poll finds once the server has waited that out)
    // and the connection drops without an answer.
    await page.route(
      (url) => url.pathname === '/api/users/import' && url.searchParams.get('dryRun') === 'false',
      async (route) => {
        const id = new URL(route.request().url()).searchParams.get('progressId')!
        const then = new ManualClock(new Date(Date.now() - PROGRESS_STALE_MS - 1_000))
        const writer = progressWriter({ db: env.server.app.db, clock: then }, adminId, id, { onError: (err) => console.error(err) })
        await writer.report('hashing', 0, 1)
        writer.stop()
        await route.abort('connectionreset')
      },
    )
    await page.locator('[data-test=import-commit]').click()
    await expect
      .poll(() =>
        page
          .locator('[data-test=import-confirming]')
          .innerText()
          .catch(() => ''),
      )
      .toContain('正在向服务器确认这次导入的结果')
    await expect
      .poll(() =>
        page
          .locator('[data-test=import-poll-trouble]')
          .innerText()
          .catch(() => ''),
      )
      .toContain('暂时查不到导入进度')
    await shot(page, 'desktop-admin-import-confirming')

    pollsDown = false
    const ended = page.locator('[data-test=import-ended]')
    await expect
      .poll(() => ended.innerText().catch(() => ''), { timeout: 15_000 })
      .toBe('导入中断（服务器重启或出错），没有写入任何人员，请重新导入')
    expect(await page.locator('[data-test=import-poll-trouble]').count()).toBe(0)
    await shot(page, 'desktop-admin-import-interrupted')
    const found = await api(env.server, 'GET', '/api/users?q=e2e401', token)
    expect(found.total).toBe(0)
    await page.close()
  })
})
