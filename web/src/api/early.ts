// A cold start asks for the first page's data while the page's own code is still downloading: the
// entry script runs well before the page's chunks arrive (on 4G, about half a second), and the
// page's first GETs would otherwise leave only once its components mount. The API client
// (client.ts) takes these answers instead of asking again; anything unused or old is dropped.
import type { RouteLocationNormalized } from 'vue-router'

/** The GETs a page makes as it opens, by route name. */
const FIRST_GETS: Record<string, string[]> = {
  home: ['/api/exams', '/api/points/me', '/api/points/rules'],
}
/** An early answer older than this is not used (the page asks afresh). */
const MAX_AGE_MS = 10_000

const early = new Map<string, { at: number; res: Promise<Response | null> }>()

/** Starts the first GETs of `to` with the session's token (nothing when signed out). */
export function fetchEarly(to: RouteLocationNormalized, accessToken: string | null) {
  const paths = typeof to.name === 'string' ? FIRST_GETS[to.name] : undefined
  if (!paths || !accessToken) return
  for (const path of paths) {
    const res = fetch(path, { headers: { Authorization: `Bearer ${accessToken}` } }).catch(() => null)
    early.set(path, { at: Date.now(), res })
  }
}

/** The early answer to `GET path`, at most once; null when there is none or it is too old. */
export function takeEarly(path: string): Promise<Response | null> | null {
  const hit = early.get(path)
  if (!hit) return null
  early.delete(path)
  return Date.now() - hit.at < MAX_AGE_MS ? hit.res : null
}
