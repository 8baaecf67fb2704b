// The member home's download budget: what a phone fetches on a cold cache to show `/`
// after signing in — index.html, the entry script with its imports, the member layout and the home
// page with theirs, and every stylesheet they pull in — compressed as the server sends it (brotli,
// gzip for browsers without it). Follows dist/.vite/manifest.json; fails above the budget.
//
//   npm run build && npm run budget          (CI runs it after the build)
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Brotli is what a phone gets over HTTPS (the service worker, and so the PWA, needs it; every current
 * browser accepts br there). Plain-HTTP intranets get gzip: held to the same 120 KiB.
 */
export const BUDGET_KIB = 120
export const GZIP_CAP_KIB = 120
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const DIST = path.join(root, 'web/dist')
/** The member home: the layout and the page the router loads for `/`. */
export const MEMBER_HOME_ROUTES = ['src/layouts/MemberLayout.vue', 'src/views/member/HomeView.vue']

interface Chunk {
  file: string
  css?: string[]
  imports?: string[]
  isEntry?: boolean
}

export interface BudgetReport {
  files: string[]
  raw: number
  gzip: number
  brotli: number
  budget: number
  gzipCap: number
}

export function memberHomeFiles(dist = DIST): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8')) as Record<string, Chunk>
  const entry = Object.keys(manifest).find((k) => manifest[k].isEntry)
  if (!entry) throw new Error('no entry chunk in the build manifest')
  const files = new Set<string>(['index.html'])
  const visit = (key: string) => {
    const chunk = manifest[key]
    if (!chunk) throw new Error(`${key} is not in the build manifest`)
    if (files.has(chunk.file)) return
    files.add(chunk.file)
    for (const css of chunk.css ?? []) files.add(css)
    for (const imp of chunk.imports ?? []) visit(imp)
  }
  for (const key of [entry, ...MEMBER_HOME_ROUTES]) visit(key)
  // Classic scripts index.html loads beside the entry (the route preloader, web/vite.config.ts).
  for (const m of fs.readFileSync(path.join(dist, 'index.html'), 'utf8').matchAll(/<script\b[^>]*\bsrc="\/(assets\/[^"]+)"/g))
    files.add(m[1])
  // Fonts the stylesheets point at (vant's icon font: the tab bar draws with it).
  for (const css of [...files].filter((f) => f.endsWith('.css'))) {
    for (const m of fs.readFileSync(path.join(dist, css), 'utf8').matchAll(/url\(["']?\/(assets\/[^"')]+\.woff2?)["']?\)/g)) files.add(m[1])
  }
  return [...files]
}

const size = (file: string) => (fs.existsSync(file) ? fs.statSync(file).size : null)

export function measure(dist = DIST): BudgetReport {
  const files = memberHomeFiles(dist)
  let raw = 0,
    gzip = 0,
    brotli = 0
  for (const f of files) {
    const full = path.join(dist, f)
    const r = size(full)
    if (r === null) throw new Error(`${f} is missing from ${dist}`)
    raw += r
    gzip += size(`${full}.gz`) ?? r
    brotli += size(`${full}.br`) ?? r
  }
  return { files, raw, gzip, brotli, budget: BUDGET_KIB * 1024, gzipCap: GZIP_CAP_KIB * 1024 }
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const r = measure()
  const lines = [
    `member home, cold cache: ${r.files.length} files — raw ${kib(r.raw)}, gzip ${kib(r.gzip)}, brotli ${kib(r.brotli)}`,
    `budget: brotli ≤ ${BUDGET_KIB} KiB (HTTPS), gzip ≤ ${GZIP_CAP_KIB} KiB (plain HTTP)`,
    ...(process.argv.includes('--files') ? r.files.map((f) => `  ${f}`) : []),
  ]
  console.log(lines.join('\n'))
  const over = [
    r.brotli > r.budget && `brotli ${kib(r.brotli)} > ${BUDGET_KIB} KiB`,
    r.gzip > r.gzipCap && `gzip ${kib(r.gzip)} > ${GZIP_CAP_KIB} KiB`,
  ].filter(Boolean)
  if (over.length) {
    console.error(`member home over budget: ${over.join('; ')}`)
    process.exitCode = 1
  }
}
