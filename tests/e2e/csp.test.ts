// The Content-Security-Policy the server sends must not break the app: every area is opened in
// Chromium under it and the browser reports no CSP violation (a violation would mean a blocked
// script, style, font or connection the page needed — the first run caught vant's icon font on a CDN).
import { describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { DESKTOP, PHONE, loginAs, useBrowserServer } from '../helpers/browser.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

const env = useBrowserServer()

function watchViolations(page: Page): string[] {
  const violations: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect)/i.test(m.text())) violations.push(m.text())
  })
  page.on('pageerror', (e) => {
    if (/Content Security Policy/i.test(e.message)) violations.push(e.message)
  })
  return violations
}

/** Opens each path after logging in, and returns every CSP violation the browser reported. */
async function violationsVisiting(
  viewport: { width: number; height: number },
  who: [string, string],
  home: string | RegExp,
  paths: string[],
) {
  const page = await env.browser.newPage({ viewport })
  const violations = watchViolations(page)
  await loginAs(page, env.server.baseUrl, ...who)
  await page.waitForURL(home)
  for (const path of paths) {
    await page.goto(`${env.server.baseUrl}${path}`)
    await page.waitForLoadState('networkidle')
  }
  await page.close()
  return violations
}

describe('the built app under its CSP', () => {
  it('member pages on a phone run without a violation', async () => {
    const paths = ['/', '/study', '/exams', '/rank', '/me', '/study/quiz/daily']
    expect(await violationsVisiting(PHONE, ['dy0001', DEMO_PASSWORD], `${env.server.baseUrl}/`, paths)).toEqual([])
  })

  it('console areas on a desktop run without a violation', async () => {
    const paths = ['/console', '/console/questions', '/console/exams', '/console/users', '/console/study', '/console/reports']
    expect(await violationsVisiting(DESKTOP, [DEMO_ADMIN.username, DEMO_ADMIN.password], /\/console/, paths)).toEqual([])
  })

  it('the app may not be framed by another page', async () => {
    const res = await fetch(`${env.server.baseUrl}/`)
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/)
  })
})
