// A real server on a real port serving the built web app, and Debian's Chromium driven by
// playwright-core. Never downloads a browser.
import fs from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, inject } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildApp, DEFAULT_WEB_DIST } from '../../server/app.js'
import { openTestDatabase, ARTIFACTS } from './template-db.js'
import type { Clock } from '../../server/lib/clock.js'
import { systemClock } from '../../server/lib/clock.js'
import { openExamBody, type OpenExamFields } from './exam-body.js'

export const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots')
export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1366, height: 850 }

export interface E2EServer {
  app: FastifyInstance
  baseUrl: string
  close(): Promise<void>
}

export async function startServer(clock: Clock = systemClock): Promise<E2EServer> {
  const handle = await openTestDatabase(inject('dbTemplate'))
  const app = await buildApp({
    db: handle.db,
    dbKind: handle.kind,
    jwtSecret: 'e2e-secret-e2e-secret',
    clock,
    logLevel: 'silent',
    webDist: DEFAULT_WEB_DIST,
  })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close()
      await handle.close()
    },
  }
}

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]
  const found = candidates.find((p) => fs.existsSync(p))
  if (!found) throw new Error('Chromium not found: apt-get install -y chromium (never download a browser)')
  return found
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  })
}

export async function shot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

export async function loginAs(page: Page, baseUrl: string, username: string, password: string) {
  await page.goto(`${baseUrl}/login`)
  await page.locator('[data-test=username] input').fill(username)
  await page.locator('[data-test=password] input').fill(password)
  await page.locator('[data-test=login-submit]').click()
}

/** A member's first login shows the privacy notice over the page: she answers it first (if it is there). */
export async function answerPrivacyNotice(page: Page) {
  await page
    .locator('[data-test=privacy-agree]')
    .click({ timeout: 5_000 })
    .catch(() => {
      /* no notice for her */
    })
}

/** From an exam's intro: 开始答题, its confirmation's 确认, and the exam page up with its clock running. */
export async function startFromIntro(page: Page, baseUrl: string, examId: number) {
  await page.goto(`${baseUrl}/exams/${examId}`)
  await page.locator('[data-test=exam-go]').click()
  await page.locator('.van-dialog__confirm').click()
  await page.waitForURL(/\/take$/)
  await page.locator('[data-test=countdown]', { hasText: /\d\d:\d\d/ }).waitFor()
}

/**
 * A phone's or a tablet's browser signed in: a touch context (isMobile, hasTouch, zh-CN, no service
 * worker) of the given size, with `username` signed in and the login page left behind.
 */
export async function openTouchContext(
  browser: Browser,
  baseUrl: string,
  viewport: { width: number; height: number },
  username: string,
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, isMobile: true, hasTouch: true, locale: 'zh-CN', serviceWorkers: 'block' })
  const page = await context.newPage()
  await loginAs(page, baseUrl, username, password)
  await page.waitForURL((u) => u.pathname !== '/login')
  return { context, page }
}

/** A JSON call to the test server's API, as a script would make it (no browser). */
export async function callApi(
  server: Pick<E2EServer, 'baseUrl'>,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { ...(token && { Authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: await res.json().catch(() => null) }
}

/** Like callApi, but the JSON body, and any non-2xx answer is an error. */
export async function api(
  server: Pick<E2EServer, 'baseUrl'>,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<any> {
  const res = await callApi(server, method, path, token, body)
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/** An exam open now, made by an admin over the API; see openExamBody for the settings a test does not name. */
export async function createOpenExam(server: Pick<E2EServer, 'baseUrl'>, adminToken: string, fields: OpenExamFields): Promise<any> {
  return api(server, 'POST', '/api/exams', adminToken, openExamBody(fields))
}

/** A 主题党日 of `orgId` under way for the next 90 minutes, made by its secretary: an activity's own page to visit. */
export async function createThemeDay(server: Pick<E2EServer, 'baseUrl'>, secretaryToken: string, orgId: number): Promise<number> {
  const now = Date.now()
  const activity = await api(server, 'POST', '/api/activities', secretaryToken, {
    orgId,
    type: 'theme_day',
    title: '重温入党誓词主题党日',
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + 90 * 60_000).toISOString(),
    place: '党员活动室',
  })
  return activity.id
}

export async function tokenFor(server: Pick<E2EServer, 'baseUrl'>, username: string, password: string): Promise<string> {
  return (await api(server, 'POST', '/api/auth/login', null, { username, password })).accessToken
}

/**
 * A server and Chromium for one test file: started before its tests, stopped after them. Read
 * `env.server` and `env.browser` inside tests (they exist once beforeAll has run).
 */
export function useBrowserServer(clock?: Clock): { server: E2EServer; browser: Browser } {
  const env = {} as { server: E2EServer; browser: Browser }
  beforeAll(async () => {
    env.server = await startServer(clock)
    env.browser = await launchBrowser()
  })
  afterAll(async () => {
    await env.browser?.close()
    await env.server?.close()
  })
  return env
}

/**
 * What a page did, for a test to print when something it waited for went missing: full loads
 * (a reload shows as a second one), main-frame navigations (history changes too), answers of 400
 * and above, requests that failed, console errors and uncaught errors, each with ms since the start.
 */
export function recordPageEvents(page: Page): { lines: string[]; loads: () => number } {
  const lines: string[] = []
  const t0 = Date.now()
  let loads = 0
  const note = (what: string) => lines.push(`${Date.now() - t0} ms ${what}`)
  page.on('load', () => note(`load #${++loads} ${page.url()}`))
  page.on('framenavigated', (f) => f === page.mainFrame() && note(`navigated ${f.url()}`))
  page.on('response', (r) => r.status() >= 400 && note(`${r.status()} ${r.request().method()} ${r.url()}`))
  page.on('requestfailed', (r) => note(`failed ${r.method()} ${r.url()}: ${r.failure()?.errorText}`))
  page.on('console', (m) => m.type() === 'error' && note(`console.error ${m.text()}`))
  page.on('pageerror', (e) => note(`pageerror ${e.message}`))
  return { lines, loads: () => loads }
}
