// What keeps a phone working across a redeploy: a page still running the old build reloads once
// into the new one when a chunk it asks for is gone, and the service worker announces new builds.
import type { Router } from 'vue-router'
import { msg } from '@/messages'

const RELOADED_AT = 'xuece.reloadedForNewBuild'
/** A build that is really broken must not reload in a loop: once per this many ms at most. */
const RELOAD_GUARD_MS = 20_000

/**
 * Reloads the page (at `url`) unless this tab already did so in the last few seconds. localStorage
 * is left alone: the exam's unsent answers (`xuece.pending.<attempt>`) are sent after the reload.
 */
function reloadOnce(url: string): boolean {
  const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0)
  if (Date.now() - last < RELOAD_GUARD_MS) return false
  sessionStorage.setItem(RELOADED_AT, String(Date.now()))
  if (url === location.href) location.reload()
  else location.assign(url)
  return true
}

const CHUNK_ERROR =
  /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Unable to preload CSS|ChunkLoadError/i

export function recoverFromStaleBuild(router: Router) {
  // A route's page failed to load: reload straight into the page that was asked for.
  router.onError((error: unknown, to) => {
    if (CHUNK_ERROR.test(String((error as Error)?.message ?? error))) reloadOnce(new URL(to.fullPath, location.origin).href)
  })
  // Any other lazy import (a dialog, a chart) that Vite's preload helper saw fail: reload this page.
  // Later than the router's handler, which knows where the member was going.
  window.addEventListener('vite:preloadError', () => {
    setTimeout(() => reloadOnce(location.href), 50)
  })
}

/** Registers the service worker (production builds) and shows a bar when a new build took over. */
export function registerServiceWorker() {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return
  const sw = navigator.serviceWorker
  const hadController = !!sw.controller
  sw.addEventListener('controllerchange', () => {
    if (hadController) announceUpdate()
  })
  const register = () =>
    sw
      .register('/sw.js', { scope: '/' })
      .then((reg) => {
        // Phones keep a tab open for days: look for a new build hourly and whenever the tab comes back.
        const check = () => {
          reg.update().catch(() => undefined)
        }
        setInterval(check, 60 * 60_000)
        document.addEventListener('visibilitychange', () => {
          if (document.visibilityState === 'visible') check()
        })
      })
      .catch((err) => console.warn('[xuece] service worker not registered:', err))
  if (document.readyState === 'complete') void register()
  else window.addEventListener('load', () => void register(), { once: true })
}

function announceUpdate() {
  if (document.querySelector('[data-test=app-updated]')) return
  const inExam = /^\/exams\/[^/]+\/take/.test(location.pathname)
  const bar = document.createElement('div')
  bar.setAttribute('data-test', 'app-updated')
  bar.setAttribute('role', 'status')
  Object.assign(bar.style, {
    position: 'fixed',
    left: '12px',
    right: '12px',
    bottom: 'calc(64px + env(safe-area-inset-bottom))',
    zIndex: '3000',
    background: '#323233',
    color: '#fff',
    borderRadius: '8px',
    padding: '10px 14px',
    fontSize: '14px',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: '12px',
    boxShadow: '0 4px 12px rgba(0,0,0,.2)',
  })
  const text = document.createElement('span')
  text.textContent = inExam ? msg.app.updatedInExam : msg.app.updated
  bar.append(text)
  if (!inExam) {
    const button = document.createElement('button')
    button.textContent = msg.app.updatedAction
    Object.assign(button.style, {
      background: '#ffd700',
      color: '#c8161d',
      border: '0',
      borderRadius: '4px',
      padding: '4px 12px',
      fontSize: '14px',
    })
    button.addEventListener('click', () => location.reload())
    bar.append(button)
  }
  document.body.append(bar)
}
