// Everything a mouse or a finger can press, a keyboard can reach: some members and secretaries
// cannot use a mouse well (a tremor, a switch device, a screen reader), and WCAG 2.1.1 asks that every
// function works from the keyboard. axe (a11y.test.ts) does not see this: a <div> or an <a> without
// href that listens for clicks breaks no rule it checks. So this file looks, on every page of a
// member, a secretary and an admin, for what shows a pointer but that Tab never reaches, and then
// presses with the keyboard what it once found: the member pages' back arrow, vant's tab bar, cells and
// switches (Enter, Space) and tabs (←/→), the console's menu, 用户's organisation tree, the exam
// wizard's steps, 五学台账's activities, a notification in the console's bell, a calendar's days and a
// date range typed into 统计.
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, PHONE, answerPrivacyNotice, api, loginAs, startFromIntro, tokenFor } from '../helpers/browser.js'
import { PAGES, WHO, settle, useConsoleServer } from '../helpers/console-pages.js'
import { focusNotSeen, ringOn, tabTo, unreachableClickables, type Ring } from '../helpers/keyboard.js'
import { FORM_DIALOGS, OPEN_DIALOG } from '../helpers/console-dialogs.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useConsoleServer()
/** A test that walks every page of a role: 54–59 s of the default 60 on a quiet 2-core machine. */
const PAGE_WALK_MS = 180_000

/** A desk's or a phone's browser (no touch: this is about keyboards) with `username` signed in. */
async function signedIn(viewport: { width: number; height: number }, username: string, password: string) {
  const context = await env.browser.newContext({ viewport, locale: 'zh-CN', serviceWorkers: 'block' })
  const page = await context.newPage()
  await loginAs(page, env.server.baseUrl, username, password)
  await page.waitForURL((u) => u.pathname !== '/login')
  await answerPrivacyNotice(page)
  return { context, page }
}

/** Opens each path in turn and gathers what `check` finds there, each finding after its path. */
async function onEachPage(page: Page, paths: string[], check: () => Promise<string[]>): Promise<string[]> {
  const found: string[] = []
  for (const path of paths) {
    await page.goto(`${env.server.baseUrl}${path}`)
    await settle(page)
    for (const what of await check()) found.push(`${path}: ${what}`)
  }
  return found
}

/** A member's pages: the tab bar's five, the pages one tap further, the exam she took and a material. */
async function memberPages(): Promise<string[]> {
  const member = await tokenFor(env.server, 'dy0001', DEMO_PASSWORD)
  const materials = await api(env.server, 'GET', '/api/study/materials', member)
  const attempt = await env.server.app.db
    .selectFrom('attempts')
    .innerJoin('users', 'users.id', 'attempts.user_id')
    .select('attempts.id')
    .where('users.username', '=', 'dy0001')
    .where('attempts.exam_id', '=', env.ids.exam)
    .executeTakeFirstOrThrow()
  const material = (materials.items ?? materials)[0]
  expect(material, 'the demo data has a study material').toBeTruthy()
  return [
    '/',
    '/study',
    '/exams',
    `/exams/${env.ids.exam}`,
    `/attempts/${attempt.id}`,
    '/rank',
    '/me',
    '/notifications',
    '/points/ledger',
    '/me/privacy',
    '/me/feedback',
    '/me/security',
    '/about',
    '/checkin',
    '/campaign/column',
    `/study/materials/${material.id}`,
    '/study/quiz/daily',
    '/study/challenge',
    '/study/wrong-book',
    '/study/battle',
    '/contest',
  ]
}

describe('what can be pressed can be reached with Tab', () => {
  it(
    "on a member's phone pages",
    async () => {
      const pages = await memberPages()
      const { context, page } = await signedIn(PHONE, 'dy0001', DEMO_PASSWORD)
      const found = await onEachPage(page, pages, () => unreachableClickables(page.locator('body')))
      await context.close()
      expect(found).toEqual([])
    },
    PAGE_WALK_MS,
  )

  for (const [role, username, password] of WHO) {
    it(
      `on every console page of ${username === 'sj_bgs' ? 'a secretary' : 'an admin'}`,
      async () => {
        const { context, page } = await signedIn(DESKTOP, username, password)
        const found = await onEachPage(page, PAGES[role](env.ids), () => unreachableClickables(page.locator('body')))
        await context.close()
        expect(found).toEqual([])
      },
      PAGE_WALK_MS,
    )
  }

  it(
    'in every form an admin opens over a console page (dialogs and drawers)',
    async () => {
      const { context, page } = await signedIn(DESKTOP, DEMO_ADMIN.username, DEMO_ADMIN.password)
      const found: string[] = []
      for (const [path, opener] of FORM_DIALOGS) {
        await page.goto(`${env.server.baseUrl}${path}`)
        await settle(page)
        await page.locator(`[data-test=${opener}]`).click()
        const dialog = page.locator(OPEN_DIALOG).last()
        await dialog.waitFor()
        await page.waitForTimeout(400) // the opening transition
        for (const what of await unreachableClickables(dialog)) found.push(`${path} ${opener}: ${what}`)
      }
      await context.close()
      expect(found).toEqual([])
    },
    PAGE_WALK_MS,
  )
})

describe('where the focus is, a ring shows it', () => {
  // vant's sheet took the outline off every focused link, button and vant part, so on the member
  // pages (and on the console once a member page had loaded that sheet) Tab moved an invisible focus.
  // A ring must also stand out from what it is drawn on: 3:1 at least (WCAG 1.4.11).
  it(
    "on a member's pages, and on the console after them",
    async () => {
      const pages = await memberPages()
      const { context, page } = await signedIn(PHONE, 'sj_bgs', DEMO_PASSWORD)
      const found = await onEachPage(page, pages, () => focusNotSeen(page))
      // The same tab, so vant's sheet is loaded: the console's links and buttons, on each of her pages.
      await page.setViewportSize(DESKTOP)
      for (const path of PAGES.secretary(env.ids)) {
        await page.evaluate((to) => history.pushState({}, '', to), path)
        await page.evaluate(() => window.dispatchEvent(new PopStateEvent('popstate')))
        await settle(page)
        for (const what of await focusNotSeen(page)) found.push(`${path}: ${what}`)
      }
      await context.close()
      expect(found).toEqual([])
    },
    PAGE_WALK_MS,
  )

  it(
    'on every console page of an admin, the ring seen',
    async () => {
      const { context, page } = await signedIn(DESKTOP, DEMO_ADMIN.username, DEMO_ADMIN.password)
      const found = await onEachPage(page, PAGES.admin(env.ids), () => focusNotSeen(page))
      await context.close()
      expect(found).toEqual([])
    },
    PAGE_WALK_MS,
  )

  it('in a select and a tree select, the option or node that ↑/↓ are on is seen (3:1)', async () => {
    const { context, page } = await signedIn(DESKTOP, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const base = env.server.baseUrl
    const found: string[] = []
    const check = (what: string, ring: Ring | null) => {
      if (!ring) found.push(`${what}: nothing marked`)
      else if (!ring.ring || ring.contrast < 3) found.push(`${what}: ${ring.name} ring ${ring.contrast.toFixed(2)}:1`)
    }
    // A select keeps the focus in its text box and only marks the option the arrow keys are on.
    await page.goto(`${base}/console/audit`)
    await settle(page)
    expect(await tabTo(page, '.el-select__input')).toBe(true)
    await page.keyboard.press('ArrowDown') // opens the list
    await page.locator('.el-select-dropdown__item').first().waitFor()
    await page.keyboard.press('ArrowDown') // and moves down it
    check('审计日志 操作', await ringOn(page, '.el-select-dropdown__item.is-hovering'))
    // A tree select moves the focus into its tree: the node's own row shows it.
    await page.goto(`${base}/console/stats`)
    await settle(page)
    expect(await tabTo(page, '.el-select__input')).toBe(true)
    await page.keyboard.press('ArrowDown') // opens the tree
    await page.locator('.el-tree-node').first().waitFor()
    // ↓ moves from the text box into the tree, then from node to node.
    await expect
      .poll(async () => {
        await page.keyboard.press('ArrowDown')
        return page.evaluate(() => document.activeElement?.getAttribute('role'))
      })
      .toBe('treeitem')
    check('统计 单位', await ringOn(page, '.el-tree-node:focus > .el-tree-node__content'))
    // …and only there: one ring in the open list, not another on a node the keys have left.
    const ringed = await page.evaluate(() =>
      [...document.querySelectorAll('.el-select-dropdown *')]
        .filter((e) => e.checkVisibility() && getComputedStyle(e).outlineStyle !== 'none')
        .map((e) => (e.textContent ?? '').trim().slice(0, 12)),
    )
    expect(ringed).toHaveLength(1)
    await context.close()
    expect(found).toEqual([])
  })

  // A calendar is not on the page until it is opened, so the page scans above never reach it. In a
  // box for one date, ↓ opens it with the focus on a day (element-plus); the arrow keys move from day
  // to day, and Tab goes on from the day to the footer's buttons.
  it('in a date picker: the day the arrow keys are on, and what Tab reaches in the calendar, is seen (3:1)', async () => {
    const { context, page } = await signedIn(DESKTOP, DEMO_ADMIN.username, DEMO_ADMIN.password)
    const found: string[] = []
    const pickers = [
      // A date and a time: from the day, Tab goes on to the footer's 此刻 and 确定.
      { name: '开考时间', path: '/console/exams/new', opener: '', box: '[data-test=exam-opens] input', stops: 2 },
      // A date alone, in a dialog: the calendar has no footer, and the dialog takes Tab back into
      // itself; ↑/↓/←/→ and PageUp/PageDown (months) choose the day, so only the day is looked at.
      { name: '题目 有效期至', path: '/console/questions', opener: 'questions-add', box: '.el-dialog .el-date-editor input', stops: 1 },
    ]
    const inCalendar = () => page.evaluate(() => !!document.activeElement?.closest('.el-picker-panel'))
    for (const picker of pickers) {
      await page.goto(`${env.server.baseUrl}${picker.path}`)
      await settle(page)
      if (picker.opener) {
        await page.locator(`[data-test=${picker.opener}]`).click()
        await page.locator(OPEN_DIALOG).last().waitFor()
      }
      expect(await tabTo(page, picker.box), `${picker.name}: Tab reaches the date box`).toBe(true)
      await page.keyboard.press('ArrowDown')
      await expect.poll(inCalendar, { message: `${picker.name}: ↓ puts the focus on a day` }).toBe(true)
      await page.keyboard.press('ArrowRight') // to the next day, as someone choosing one does
      // Round the calendar's own stops from that day, while Tab stays in it.
      const seen = new Set<string>()
      for (let i = 0; i < 20 && (await inCalendar()); i++) {
        const focused = await ringOn(page)
        if (!focused || seen.has(focused.key)) break
        seen.add(focused.key)
        const what = i === 0 ? `the day, ${focused.name}` : focused.name
        if (!focused.exempt && !focused.ring) found.push(`${picker.name}: ${what}`)
        else if (!focused.exempt && focused.contrast < 3) found.push(`${picker.name}: ${what}: ring ${focused.contrast.toFixed(2)}:1`)
        await page.keyboard.press('Tab')
      }
      expect(seen.size, `${picker.name}: the stops looked at in the calendar`).toBeGreaterThanOrEqual(picker.stops)
      await page.keyboard.press('Escape')
    }
    await context.close()
    expect(found).toEqual([])
  })

  // element-plus gives a range's calendar no keyboard way in (↓ leaves the focus in the box), so a
  // range is typed: the start, Tab, the end, Enter, and the page asks for that range.
  it('a date range is typed: 统计 asks for the dates typed into its boxes', async () => {
    const { context, page } = await signedIn(DESKTOP, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.goto(`${env.server.baseUrl}/console/stats`)
    await settle(page)
    expect(await tabTo(page, '[data-test=stats] .el-range-editor input')).toBe(true)
    const asked = page.waitForRequest((r) => r.url().includes('from=2026-10-08') && r.url().includes('to=2026-11-20'))
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('2026-10-08')
    await page.keyboard.press('Tab')
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('2026-11-20')
    await page.keyboard.press('Enter')
    await asked
    await context.close()
  })

  // A popup keeps Tab inside it (web/src/lib/modal-focus.ts), so the page scans above never reach
  // its controls: each is opened and Tabbed round here.
  it('inside the popups over a page: 答题卡, a confirmation, and the console’s 通知 drawer', async () => {
    const { username } = await env.server.app.db
      .selectFrom('users')
      .innerJoin('orgs', 'orgs.id', 'users.org_id')
      .select('users.username')
      .where('orgs.name', '=', '办公室党支部')
      .where('users.role', '=', 'member')
      .where('users.username', '!=', 'dy0001') // she has taken env.ids.exam
      .orderBy('users.username')
      .executeTakeFirstOrThrow()
    const found: string[] = []
    const phone = await signedIn(PHONE, username, DEMO_PASSWORD)
    const page = phone.page
    await startFromIntro(page, env.server.baseUrl, env.ids.exam)
    await page.locator('[data-test=open-card]').click()
    await page.locator('[data-test=answer-card]').waitFor()
    for (const what of await focusNotSeen(page)) found.push(`答题卡: ${what}`)
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('[data-test=answer-card]').isVisible()).toBe(false)
    await page.locator('[data-test=nav-back]').click() // 离开 asks first
    await page.locator('.van-dialog').waitFor()
    for (const what of await focusNotSeen(page)) found.push(`离开's confirmation: ${what}`)
    await phone.context.close()

    const desk = await signedIn(DESKTOP, 'sj_bgs', DEMO_PASSWORD)
    await desk.page.goto(`${env.server.baseUrl}/console/users`)
    await settle(desk.page)
    await desk.page.locator('[data-test=console-notifications]').click()
    await desk.page.locator('.el-drawer', { hasText: '消息通知' }).waitFor()
    for (const what of await focusNotSeen(desk.page)) found.push(`通知: ${what}`)
    await desk.context.close()
    expect(found).toEqual([])
  })
})

describe('pressed with the keyboard', () => {
  it("a member's tab bar, a cell and a switch: Enter and Space press them", async () => {
    const { context, page } = await signedIn(PHONE, 'dy0001', DEMO_PASSWORD)
    await page.goto(`${env.server.baseUrl}/`)
    await settle(page)
    // The tab bar's 考试 (a vant <div role="tab">): Enter opens 考试.
    expect(await tabTo(page, '.van-tabbar-item:nth-child(3)'), 'Tab reaches the tab bar').toBe(true)
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('考试')
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.pathname === '/exams')
    await settle(page)
    // An exam in the list (a vant clickable cell, <div role="button">): Enter opens its page.
    expect(await tabTo(page, '.van-cell[role=button]'), 'Tab reaches an exam').toBe(true)
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => /^\/exams\/\d+$/.test(u.pathname))
    // 我的's 大字模式 (a vant <div role="switch">): Space turns it on.
    await page.goto(`${env.server.baseUrl}/me`)
    await settle(page)
    expect(await tabTo(page, '[data-test=large-text]'), 'Tab reaches 大字模式').toBe(true)
    await page.keyboard.press(' ')
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('xc-large'))).toBe(true)
    await context.close()
  })

  it('a vant popup keeps Tab inside it: the privacy notice until it is answered, a confirmation until Escape cancels it and gives the focus back', async () => {
    // The notice comes up at her first sign-in, over an overlay a finger cannot pass; Tab used to go on
    // through the page behind it (the tab bar, 首页's cards), where Enter opened other pages.
    const context = await env.browser.newContext({ viewport: PHONE, locale: 'zh-CN', serviceWorkers: 'block' })
    const page = await context.newPage()
    const { username } = await env.server.app.db
      .selectFrom('users')
      .select('username')
      .where('role', '=', 'member')
      .where('privacy_noticed_at', 'is', null)
      .orderBy('username')
      .executeTakeFirstOrThrow()
    await loginAs(page, env.server.baseUrl, username, DEMO_PASSWORD)
    const notice = page.locator('[data-test=privacy-notice]')
    await notice.waitFor()
    const focusIn = (selector: string) => page.evaluate((s) => !!document.activeElement?.closest(s), selector)
    const outside: string[] = []
    for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key)
      if (!(await focusIn('[data-test=privacy-notice]')))
        outside.push(`${key}: ${await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 80))}`)
    }
    expect(outside, 'Tab and Shift+Tab leave the notice').toEqual([])
    // It must be answered: Escape does not close it (a tap on its overlay does nothing either).
    await page.keyboard.press('Escape')
    await page.waitForTimeout(400)
    expect(await notice.isVisible()).toBe(true)
    expect(await tabTo(page, '[data-test=privacy-agree]', 6)).toBe(true)
    await page.keyboard.press('Enter')
    await expect.poll(() => notice.isVisible()).toBe(false)

    // 我的 → 退出登录 asks first: Tab goes round the confirmation's two buttons, Escape is 取消.
    await page.goto(`${env.server.baseUrl}/me`)
    await settle(page)
    expect(await tabTo(page, '[data-test=logout]'), 'Tab reaches 退出登录').toBe(true)
    await page.keyboard.press('Enter')
    await expect.poll(() => focusIn('.van-dialog')).toBe(true)
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab')
      expect(await focusIn('.van-dialog'), `Tab ${i + 1} stays in the confirmation`).toBe(true)
    }
    // Escape: the focus is back on 退出登录 at once, not left on a fading 取消 that the next Tab
    // would go round from (and, once hidden, from the page's top).
    await page.keyboard.press('Escape')
    expect(await focusIn('[data-test=logout]'), 'the focus is back on 退出登录 while the confirmation fades').toBe(true)
    // Nor can the browser's own Tab order reach its buttons while it fades (~300 ms): a quick Tab
    // had landed on the dying dialog when the page behind had few stops. Asked directly, as a Tab
    // reaches it only from the page's last stop.
    const fadingTakesFocus = () =>
      page.evaluate(() => {
        const cancel = document.querySelector<HTMLElement>('.van-dialog__cancel')
        const fading = !!cancel?.closest('[class*=-leave-active]')
        cancel?.focus()
        return { fading, focused: !!cancel && document.activeElement === cancel }
      })
    expect(await fadingTakesFocus(), 'the fading confirmation takes no focus').toEqual({ fading: true, focused: false })
    await page.locator('[data-test=logout]').focus()
    await page.keyboard.press('Tab')
    expect(await focusIn('.van-dialog'), 'a Tab while it fades goes on through the page').toBe(false)
    await expect.poll(() => page.locator('.van-dialog').isVisible()).toBe(false)
    // vant opens the same dialog again: it is no longer inert, so it takes the focus and keeps Tab.
    expect(await tabTo(page, '[data-test=logout]'), 'Tab reaches 退出登录 again').toBe(true)
    await page.keyboard.press('Enter')
    await expect.poll(() => focusIn('.van-dialog')).toBe(true)
    await page.keyboard.press('Tab')
    expect(await focusIn('.van-dialog'), 'Tab stays in the confirmation opened again').toBe(true)
    await page.keyboard.press('Escape')
    expect(await focusIn('[data-test=logout]'), 'and Escape gives the focus back again').toBe(true)
    await expect.poll(() => page.locator('.van-dialog').isVisible()).toBe(false)
    expect(new URL(page.url()).pathname, 'still signed in, on 我的').toBe('/me')
    await context.close()
  })

  it("a member's back arrow: Tab reaches it, Enter goes back", async () => {
    const { context, page } = await signedIn(PHONE, 'dy0001', DEMO_PASSWORD)
    // 学习 → 错题本, whose arrow goes back to 学习.
    await page.goto(`${env.server.baseUrl}/study`)
    await settle(page)
    await page.goto(`${env.server.baseUrl}/study/wrong-book`)
    await settle(page)
    expect(await tabTo(page, '[data-test=nav-back]'), 'Tab reaches the back arrow').toBe(true)
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('返回')
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.pathname === '/study')
    await context.close()
  })

  it("a member's tabs: ←/→ move from 学习's selected channel to the next and select it", async () => {
    const { context, page } = await signedIn(PHONE, 'dy0001', DEMO_PASSWORD)
    await page.goto(`${env.server.baseUrl}/study`)
    await settle(page)
    const selected = () =>
      page.evaluate(() => ({
        selected: document.querySelector('.van-tab[aria-selected=true]')?.textContent?.trim(),
        focused: document.activeElement?.matches('.van-tab') ? document.activeElement.textContent?.trim() : null,
      }))
    expect(await tabTo(page, '.van-tab[role=tab]'), 'Tab reaches the selected channel').toBe(true)
    const names = await page.locator('.van-tab[role=tab]').allInnerTexts()
    const first = await selected()
    expect(first.focused).toBe(first.selected)
    await page.keyboard.press('ArrowRight')
    const second = names[(names.indexOf(first.selected!) + 1) % names.length].trim()
    await expect.poll(selected).toEqual({ selected: second, focused: second })
    await page.keyboard.press('ArrowLeft')
    await expect.poll(selected).toEqual({ selected: first.selected, focused: first.selected })
    await context.close()
  })

  it("an admin's menu, organisation tree, exam steps and activity list answer Tab and Enter", async () => {
    const { context, page } = await signedIn(DESKTOP, DEMO_ADMIN.username, DEMO_ADMIN.password)

    // The menu: Tab to 考试, Enter opens it.
    await page.goto(`${env.server.baseUrl}/console/users`)
    await settle(page)
    expect(await tabTo(page, '[data-test=nav-console-exams] a'), 'Tab reaches 考试 in the menu').toBe(true)
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.pathname === '/console/exams')
    expect(await page.locator('[data-test=nav-console-exams] a').getAttribute('aria-current')).toBe('page')

    // 用户's tree: Tab to it, ↓ to the next unit, Enter picks it (the list then shows that unit).
    await page.goto(`${env.server.baseUrl}/console/users`)
    await settle(page)
    expect(await tabTo(page, '[data-test=users-org-tree] [role=treeitem]'), 'Tab reaches the tree').toBe(true)
    await page.keyboard.press('ArrowDown')
    const unit = await page.evaluate(() => document.activeElement?.querySelector('.el-tree-node__label')?.textContent?.trim())
    expect(unit).toBeTruthy()
    const listed = page.waitForResponse((r) => r.url().includes('/api/users') && r.url().includes('orgId='))
    await page.keyboard.press('Enter')
    await listed
    expect(await page.locator('[data-test=users-org-tree] .is-current > .el-tree-node__content').innerText()).toContain(unit!)

    // The exam wizard's steps: Tab to 参考范围, Enter goes there.
    await page.goto(`${env.server.baseUrl}/console/exams/${env.ids.fresh}/edit`)
    await settle(page)
    const audience = '[data-test=exam-steps] .step:nth-child(2)'
    expect(await tabTo(page, audience), 'Tab reaches the second step').toBe(true)
    await page.keyboard.press('Enter')
    await expect.poll(() => page.locator(audience).getAttribute('aria-current')).toBe('step')

    // 五学台账: the activity's title is a link; Enter opens its page.
    await page.goto(`${env.server.baseUrl}/console/campaign`)
    await settle(page)
    const link = `[data-test=activity-table] a[href$="/console/campaign/activities/${env.ids.activity}"]`
    expect(await tabTo(page, link, 200), "Tab reaches the activity's title").toBe(true)
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => u.pathname === `/console/campaign/activities/${env.ids.activity}`)
    await context.close()
  })

  it("a notification in the console's bell: Tab reaches it, Enter opens it and marks it read", async () => {
    // Last week's 通报 goes to every secretary, each with a notification that links to it.
    const admin = await tokenFor(env.server, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await api(env.server, 'POST', '/api/bulletins/run', admin, { period: 'week' })
    const secretary = await tokenFor(env.server, 'sj_bgs', DEMO_PASSWORD)
    const list = await api(env.server, 'GET', '/api/notifications', secretary)
    const first = (list.items ?? list).find((n: any) => n.link && !n.readAt)
    expect(first, 'the 通报 told the secretary').toBeTruthy()

    const { context, page } = await signedIn(DESKTOP, 'sj_bgs', DEMO_PASSWORD)
    await page.goto(`${env.server.baseUrl}/console/users`)
    await settle(page)
    expect(await tabTo(page, '[data-test=console-notifications]'), 'Tab reaches the bell').toBe(true)
    await page.keyboard.press('Enter')
    const drawer = page.locator('.el-drawer', { hasText: '消息通知' })
    await drawer.locator('button.item').first().waitFor()
    expect(await tabTo(page, `[data-test=console-notification-${first.kind}]`), 'Tab reaches the notification').toBe(true)
    await page.keyboard.press('Enter')
    await page.waitForURL((u) => `${u.pathname}${u.search}` === first.link)
    await context.close()
    const after = await api(env.server, 'GET', '/api/notifications', secretary)
    expect((after.items ?? after).find((n: any) => n.id === first.id).readAt).toBeTruthy()
  })
})
