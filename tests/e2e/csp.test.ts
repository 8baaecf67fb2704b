// The Content-Security-Policy the server sends must not break the app: every area is opened in
// Chromium under it and the browser reports no CSP violation (a violation would mean a blocked
// script, style, font or connection the page needed — the first run caught vant's icon font on a CDN).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { DESKTOP, PHONE, launchBrowser, loginAs, startServer, type E2EServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

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

function watchViolations(page: Page): string[] {
  const violations: string[] = []
  page.on('console', (m) => { if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(m.text())) violations.push(m.text()) })
  page.on('pageerror', (e) => { if (/Content Security Policy/i.test(e.message)) violations.push(e.message) })
  return violations
}

describe('the built app under its CSP', () => {
  it('member pages on a phone run without a violation', async () => {
    const page = await browser.newPage({ viewport: PHONE })
    const violations = watchViolations(page)
    await loginAs(page, server.baseUrl, 'dy0001', DEMO_PASSWORD)
    await page.waitForURL(`${server.baseUrl}/`)
    for (const path of ['/', '/study', '/exams', '/rank', '/me', '/study/quiz/daily']) {
      await page.goto(`${server.baseUrl}${path}`)
      await page.waitForLoadState('networkidle')
    }
    expect(violations).toEqual([])
    await page.close()
  })

  it('console areas on a desktop run without a violation', async () => {
    const page = await browser.newPage({ viewport: DESKTOP })
    const violations = watchViolations(page)
    await loginAs(page, server.baseUrl, DEMO_ADMIN.username, DEMO_ADMIN.password)
    await page.waitForURL(/\/console/)
    for (const path of ['/console', '/console/questions', '/console/exams', '/console/users', '/console/study', '/console/reports']) {
      await page.goto(`${server.baseUrl}${path}`)
      await page.waitForLoadState('networkidle')
    }
    expect(violations).toEqual([])
    await page.close()
  })

  it('the app may not be framed by another page', async () => {
    const res = await fetch(`${server.baseUrl}/`)
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/)
  })
})
