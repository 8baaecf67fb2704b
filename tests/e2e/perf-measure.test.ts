// Issue 13 "done when": member home and the exam page, measured on the built app with 4G emulation
// and a 4× slower CPU (DevTools protocol: Network.emulateNetworkConditions, Emulation.setCPUThrottlingRate).
// This MEASURES and reports (tests/.artifacts/perf-member.json and the log); it asserts nothing about
// time, because timings on a shared box are not a pass/fail signal. The figures are in README.
//
// "Interactive" = the page's main control is on screen and the main thread has been free of long
// tasks (> 50 ms) for 500 ms after it, counted from navigation start (a TTI-like figure).
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { PHONE, launchBrowser, loginAs, startServer, type E2EServer, api as apiJson, tokenFor } from '../helpers/browser.js'
import { ARTIFACTS } from '../helpers/template-db.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'

// Lighthouse's mobile "4G" profile (slow 4G): 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up.
const NET = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 }
const CPU = 4
let server: E2EServer
let browser: Browser
let examId: number

beforeAll(async () => {
  server = await startServer()
  browser = await launchBrowser()
  const admin = await tokenFor(server, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const branch = (await apiJson(server, 'GET', '/api/orgs', admin)).find((o: any) => o.name === '办公室党支部').id
  examId = (
    await apiJson(server, 'POST', '/api/exams', admin, {
      title: '性能测量',
      opensAt: new Date(Date.now() - 60_000).toISOString(),
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 30,
      audienceOrgIds: [branch],
      passScore: 0,
      maxAttempts: 1,
      shuffleQuestions: false,
      shuffleOptions: false,
      releaseResults: 'immediately',
      paper: {
        rules: [
          { type: 'single', count: 20, scoreEach: 2 },
          { type: 'multiple', count: 10, scoreEach: 3 },
          { type: 'judge', count: 15, scoreEach: 2 },
        ],
      },
    })
  ).id
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const LONGTASKS = `window.__lt = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__lt.push([e.startTime, e.startTime + e.duration]) }).observe({ type: 'longtask', buffered: true })`

async function measure(page: Page, url: string, ready: string, cold: boolean) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  if (cold) await cdp.send('Network.clearBrowserCache')
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: cold })
  await cdp.send('Network.emulateNetworkConditions', NET)
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU })
  await page.goto(url, { waitUntil: 'commit' })
  await page.locator(ready).first().waitFor({ state: 'visible', timeout: 60_000 })
  const readyAt = await page.evaluate(() => performance.now())
  // Wait until the main thread has been quiet (no long task) for 500 ms.
  let interactive = readyAt
  for (let i = 0; i < 60; i++) {
    await page.waitForTimeout(500)
    const tasks = await page.evaluate(() => (window as any).__lt as [number, number][])
    const lastEnd = Math.max(readyAt, ...tasks.map((t) => t[1]))
    const now = await page.evaluate(() => performance.now())
    if (now - lastEnd >= 500) {
      interactive = lastEnd
      break
    }
  }
  const nav = await page.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming
    const fcp = performance.getEntriesByName('first-contentful-paint')[0]
    return {
      domContentLoaded: Math.round(n.domContentLoadedEventEnd),
      load: Math.round(n.loadEventEnd),
      fcp: fcp ? Math.round(fcp.startTime) : null,
      transferKB: Math.round(
        performance.getEntriesByType('resource').reduce((s, r) => s + ((r as PerformanceResourceTiming).transferSize || 0), 0) / 1024,
      ),
    }
  })
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 })
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false })
  await cdp.detach()
  return { ...nav, ready: Math.round(readyAt), interactive: Math.round(interactive) }
}

describe('member pages on 4G with a 4× slower CPU (measured, not asserted)', () => {
  it('member home and the exam page: time to interactive, cold and warm cache', async () => {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'zh-CN', serviceWorkers: 'block' })
    await context.addInitScript(LONGTASKS)
    const page = await context.newPage()
    await loginAs(page, server.baseUrl, 'dy0001', DEMO_PASSWORD)
    await page.waitForURL(`${server.baseUrl}/`)
    // Start the attempt once unthrottled, so the exam page measures a resume, as after a reload.
    await page.goto(`${server.baseUrl}/exams/${examId}/take`)
    await page.locator('[data-test=open-card]').waitFor()
    const results: Record<string, unknown> = { network: '4G (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up)', cpuSlowdown: CPU, runs: 3 }
    for (const [name, url, ready] of [
      ['home', '/', '[data-test=home-exam-banner]'],
      ['exam', `/exams/${examId}/take`, '[data-test=open-card]'],
    ] as const) {
      for (const cold of [true, false]) {
        const runs: Awaited<ReturnType<typeof measure>>[] = []
        for (let i = 0; i < 3; i++) runs.push(await measure(page, `${server.baseUrl}${url}`, ready, cold))
        const median = (k: 'interactive' | 'ready' | 'fcp' | 'domContentLoaded' | 'transferKB') =>
          [...runs.map((r) => r[k] ?? 0)].sort((a, b) => a - b)[1]
        results[`${name}-${cold ? 'cold' : 'warm'}`] = {
          interactive: median('interactive'),
          ready: median('ready'),
          fcp: median('fcp'),
          domContentLoaded: median('domContentLoaded'),
          transferKB: median('transferKB'),
          all: runs,
        }
      }
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true })
    fs.writeFileSync(path.join(ARTIFACTS, 'perf-member.json'), JSON.stringify(results, null, 2))
    console.log(
      JSON.stringify(
        Object.fromEntries(
          Object.entries(results).map(([k, v]) => [
            k,
            typeof v === 'object' && v && 'interactive' in v
              ? { interactive: (v as any).interactive, fcp: (v as any).fcp, transferKB: (v as any).transferKB }
              : v,
          ]),
        ),
      ),
    )
    expect(results['home-cold']).toBeTruthy()
    await context.close()
  }, 240_000)
})
