// Issue 12, items 2 and 3 in a real browser: a redeploy under an open page, and the PWA.
// Two builds of the web app (the second with a change, so every chunk has a new name) are served in
// turn on one port and one database, as a redeploy does: stop, swap the build, start.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../server/app.js'
import { buildWebApp } from '../../server/web-build.js'
import { openTestDatabase } from '../helpers/template-db.js'
import { PHONE, launchBrowser, loginAs, shot } from '../helpers/browser.js'
import { DEMO_PASSWORD } from '../../server/seed/demo.js'

const ROOT = path.resolve(import.meta.dirname, '../..')
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-redeploy-'))
const V1 = path.join(work, 'v1')
const V2 = path.join(work, 'v2')

async function buildWeb(outDir: string, tag: string) {
  await buildWebApp({
    configFile: path.join(ROOT, 'web/vite.config.ts'),
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
    // The "change" of the new release: a marker in the entry, which renames every chunk after it.
    plugins: [
      {
        name: 'release-marker',
        transform: (code: string, id: string) => (id.endsWith('/src/main.ts') ? `${code}\n;globalThis.__xueceBuild = '${tag}'\n` : null),
      },
    ],
  })
}

let handle: Awaited<ReturnType<typeof openTestDatabase>>
let app: FastifyInstance | null = null
let port = 0
let browser: Browser
const base = () => `http://127.0.0.1:${port}`

/** (Re)starts the server on the same port and database with the given build. */
async function serve(webDist: string) {
  if (app) await app.close()
  app = await buildApp({ db: handle.db, dbKind: handle.kind, jwtSecret: 'e2e-secret-e2e-secret', logLevel: 'silent', webDist })
  await app.listen({ port, host: '127.0.0.1' })
  const address = app.server.address()
  port = typeof address === 'object' && address ? address.port : port
}

beforeAll(async () => {
  await buildWeb(V1, 'v1')
  await buildWeb(V2, 'v2')
  handle = await openTestDatabase(inject('dbTemplate'))
  browser = await launchBrowser()
}, 240_000)
afterAll(async () => {
  await browser?.close()
  await app?.close()
  await handle?.close()
  fs.rmSync(work, { recursive: true, force: true })
})

const buildOf = (page: Page) => page.evaluate(() => (globalThis as { __xueceBuild?: string }).__xueceBuild)
const routerPush = (page: Page, to: string) =>
  page.evaluate((to) => {
    const el = document.querySelector('#app') as unknown as {
      __vue_app__: { config: { globalProperties: { $router: { push(p: string): Promise<unknown> } } } }
    }
    void el.__vue_app__.config.globalProperties.$router.push(to)
  }, to)

describe('a redeploy under an open page', () => {
  let context: BrowserContext
  afterAll(async () => {
    await context?.close()
  })

  it('a page of the old build reloads itself into the new one and keeps the queued answers', async () => {
    await serve(V1)
    // Without a service worker (plain-HTTP intranets, first visits): the page itself must recover.
    context = await browser.newContext({ viewport: PHONE, serviceWorkers: 'block' })
    const page = await context.newPage()
    const failedChunks: string[] = []
    page.on('response', (r) => {
      if (r.url().includes('/assets/') && r.status() === 404) failedChunks.push(r.url())
    })
    await loginAs(page, base(), 'dy0001', DEMO_PASSWORD)
    await page.waitForURL(`${base()}/`)
    await page.waitForLoadState('networkidle')
    // The page's deferred code (the live connection's client, a few seconds after first paint) has
    // loaded too: otherwise it may ask for its v1 chunk after the swap and reload before the test acts.
    await page.locator('[data-test=notification-bell][data-live=true]').waitFor({ timeout: 15_000 })
    expect(await buildOf(page)).toBe('v1')
    // An exam's answers typed offline wait in localStorage (useAutosave's queue).
    await page.evaluate(() =>
      localStorage.setItem(
        'xuece.pending.4242',
        JSON.stringify([
          [7, 'B'],
          [9, ['A', 'C']],
        ]),
      ),
    )

    await serve(V2) // the redeploy: the page still runs v1, whose chunks are gone now

    const reloaded = page.waitForEvent('load')
    await routerPush(page, '/study')
    await reloaded
    await page.waitForURL(`${base()}/study`)
    await page.waitForLoadState('networkidle')
    expect(await buildOf(page)).toBe('v2')
    expect(failedChunks.length).toBeGreaterThan(0) // the old chunk was asked for and answered 404
    // None of them is the new build's: its chunks are named by their content hash, so the names are
    // read from its directory (a name may well contain "v2" by chance).
    const v2Chunks = new Set(fs.readdirSync(path.join(V2, 'assets')))
    expect(failedChunks.filter((u) => v2Chunks.has(path.basename(new URL(u).pathname)))).toEqual([])
    expect(await page.evaluate(() => localStorage.getItem('xuece.pending.4242'))).toBe(
      JSON.stringify([
        [7, 'B'],
        [9, ['A', 'C']],
      ]),
    )
    // Still signed in, on the page that was asked for, drawn by the new build.
    await expect.poll(() => page.locator('.van-tabbar').count()).toBeGreaterThan(0)
    await shot(page, 'redeploy-reloaded-into-v2')
  })
})

describe('PWA', () => {
  it('has a manifest, opens offline from its service worker, and announces a new version', async () => {
    await serve(V1)
    const context = await browser.newContext({ viewport: PHONE })
    const page = await context.newPage()
    await page.goto(`${base()}/login`)
    const manifestHref = await page.locator('link[rel=manifest]').getAttribute('href')
    const manifest = await (await fetch(`${base()}${manifestHref}`)).json()
    expect(manifest).toMatchObject({ short_name: '学测', display: 'standalone', start_url: '/', lang: 'zh-CN' })
    expect(manifest.icons.map((i: { sizes: string }) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']))
    for (const icon of manifest.icons) expect((await fetch(`${base()}${icon.src}`)).status).toBe(200)

    // The worker installs and takes over this page.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 30_000 })

    // Offline, the shell still opens.
    await context.setOffline(true)
    await page.reload()
    await expect.poll(() => page.locator('[data-test=login-submit]').count(), { timeout: 15_000 }).toBe(1)
    await context.setOffline(false)

    // A redeploy: the new worker takes over and the page says so instead of breaking.
    await serve(V2)
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update()
    })
    await expect.poll(() => page.locator('[data-test=app-updated]').count(), { timeout: 30_000 }).toBe(1)
    await shot(page, 'pwa-new-version-announced')
    await page.locator('[data-test=app-updated] button').click()
    await page.waitForLoadState('load')
    await expect.poll(() => buildOf(page), { timeout: 15_000 }).toBe('v2')
    await context.close()
  })
})
