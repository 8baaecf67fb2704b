import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { createHash } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { VitePWA } from 'vite-plugin-pwa'
import type { Plugin } from 'vite'

const root = fileURLToPath(new URL('.', import.meta.url))

/**
 * vant's icon font is embedded (woff2 as a data: URL) with a fallback on a public CDN. Government
 * intranets cannot reach that CDN and our CSP allows fonts only from this site: drop the fallback
 * so the app never asks a third party for anything.
 */
function vantIconsOffline(): Plugin {
  return {
    name: 'xuece:vant-icons-offline',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]vant[\\/].*\.css$/.test(id) || !code.includes('at.alicdn.com')) return null
      let out = code.replace(/,\s*url\((?:https?:)?\/\/at\.alicdn\.com\/[^)]*\)\s*format\("woff"\)/g, '')
      // The font itself leaves the stylesheet for a file of its own (a hashed asset, cached a year):
      // base64 in CSS is a third larger, compresses badly and blocks the first paint.
      out = out.replace(/url\(["']?data:font\/woff2(?:;charset=[^;,]+)?;base64,([A-Za-z0-9+/=]+)["']?\)/, (_m, b64: string) => {
        const font = Buffer.from(b64, 'base64')
        const dir = fileURLToPath(new URL('../node_modules/.cache/xuece/', import.meta.url))
        fs.mkdirSync(dir, { recursive: true })
        const file = path.join(dir, 'vant-icon.woff2')
        if (!fs.existsSync(file) || !fs.readFileSync(file).equals(font)) fs.writeFileSync(file, font)
        return `url("${path
          .relative(path.dirname(id.split('?')[0]), file)
          .split(path.sep)
          .join('/')}")`
      })
      return { code: out, map: null }
    },
  }
}

const vantEs = fileURLToPath(new URL('../node_modules/vant/es/', import.meta.url))
/** vant's functions and the component whose stylesheet they need. */
const VANT_FUNCTIONS: Record<string, string> = {
  showToast: 'toast',
  showLoadingToast: 'toast',
  showSuccessToast: 'toast',
  showFailToast: 'toast',
  closeToast: 'toast',
  showDialog: 'dialog',
  showConfirmDialog: 'dialog',
  closeDialog: 'dialog',
  showNotify: 'notify',
  closeNotify: 'notify',
  showImagePreview: 'image-preview',
}
const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()

/**
 * vant on demand: each `import { Tabbar, showToast } from 'vant'` in our code also imports the
 * stylesheets of those components only (vant/es/<name>/style, which brings the base and the
 * components it builds on), so a page ships the CSS it uses instead of vant's whole 190 KiB sheet.
 * A leftover `import 'vant/lib/index.css'` is dropped for the same reason.
 */
function vantStylesOnDemand(): Plugin {
  return {
    name: 'xuece:vant-styles-on-demand',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]web[\\/]src[\\/].*\.(vue|ts)$/.test(id.split('?')[0]) || !code.includes('vant')) return null
      const styles = new Set<string>()
      let out = code.replace(/^[ \t]*import\s+['"]vant\/lib\/index\.css['"];?[ \t]*\r?\n/gm, '')
      out = out.replace(/^([ \t]*import\s+\{([^}]*)\}\s+from\s+['"]vant['"];?)/gm, (whole, _stmt, names: string) => {
        for (const raw of names.split(',')) {
          const name = raw
            .trim()
            .replace(/^type\s+.*/, '')
            .split(/\s+as\s+/)[0]
          if (!name) continue
          const dir = VANT_FUNCTIONS[name] ?? kebab(name)
          if (fs.existsSync(path.join(vantEs, dir, 'style', 'index.mjs'))) styles.add(dir)
        }
        return whole + [...styles].map((d) => `\nimport 'vant/es/${d}/style/index.mjs'`).join('')
      })
      return out === code ? null : { code: out, map: null }
    },
  }
}

/**
 * Every text file of the build also as .br and .gz (best levels, once at build time): the server
 * sends the one the browser accepts, without compressing on each request.
 */
function precompress(): Plugin {
  let outDir = ''
  return {
    name: 'xuece:precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      handler() {
        const walk = (dir: string): string[] =>
          fs
            .readdirSync(dir, { withFileTypes: true })
            .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
        for (const file of walk(outDir)) {
          if (!/\.(js|mjs|css|html|svg|json|webmanifest|txt|map)$/.test(file)) continue
          const raw = fs.readFileSync(file)
          if (raw.length < 512) continue
          const br = zlib.brotliCompressSync(raw, {
            params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
          })
          const gz = zlib.gzipSync(raw, { level: 9 })
          if (br.length < raw.length) fs.writeFileSync(`${file}.br`, br)
          if (gz.length < raw.length) fs.writeFileSync(`${file}.gz`, gz)
        }
      },
    },
  }
}

/**
 * Chunks of the member pages. Left to itself the bundler cut the member home into 32 scripts and 12
 * stylesheets, most of a few hundred bytes (one per set of pages sharing them). Over HTTP/1.1 — six
 * connections, as on a plain-HTTP intranet — on 4G each costs a round trip: a cold home page spent
 * 1.2 s queueing for them. Three shared chunks instead, each loaded once by the pages that need it
 * (includeDependenciesRecursively off: their imports, Vue in the entry, stay where they are).
 */
const CHUNK_GROUPS = [
  // Overlays (dialog, toast, notify, popup), buttons, the nav bar and the text field: the exam page
  // and most member pages, not 首页.
  {
    name: 'vant-ui',
    priority: 30,
    test: /node_modules[\\/]vant[\\/]es[\\/](?:(?:popup|overlay|toast|dialog|notify|button|action-bar|action-bar-button|nav-bar|field)[\\/]|composables[\\/](?:use-lock-scroll|use-lazy-render|use-touch)\.mjs)/,
  },
  // vant's base, which every member page draws with: utilities, locale, icon, badge, loading, cells, tags.
  {
    name: 'vant',
    priority: 20,
    test: /node_modules[\\/](?:@vant[\\/]use[\\/]|vant[\\/]es[\\/](?:utils|locale|config-provider|icon|badge|loading|cell|cell-group|tag|style)[\\/]|vant[\\/]es[\\/]composables[\\/](?:use-(?:global-z-index|route|scope-id|expose|id|placeholder|height)|on-popup-reopen)\.mjs)/,
  },
  // The member pages' API calls and shared state (the socket client stays out: it loads later).
  {
    name: 'member',
    priority: 10,
    test: /web[\\/]src[\\/](?:api[\\/](?:client|types|exams|points|study|notifications|attempts|privacy)|lib[\\/]time|stores[\\/]notifications|components[\\/]a11y[\\/]largeText|components[\\/]member[\\/](?:examAlerts|errors)|composables[\\/]useServerClock)\.ts$/,
  },
].map((group) => ({ ...group, includeDependenciesRecursively: false }))

/**
 * What a page needs, asked for as soon as index.html arrives. Otherwise a route's chunks are only
 * requested once the entry script has downloaded and run (on 4G with a slow phone, ~1 s after the
 * HTML); a small classic script in index.html adds `<link rel=modulepreload>` (and style preloads)
 * for the chunks of the page being opened, so they download beside the entry. Vite's own preloader
 * later finds those links and does not ask twice. Keep the modules in step with router.ts: a module
 * missing from the build fails the build.
 */
const PRELOAD_ROUTES: { path: string; signedIn: boolean; modules: string[] }[] = [
  { path: '^/$', signedIn: true, modules: ['src/layouts/MemberLayout.vue', 'src/views/member/HomeView.vue'] },
  { path: '^/exams/[^/]+/take/?$', signedIn: true, modules: ['src/views/member/ExamTakeView.vue'] },
  { path: '^/exams/[^/]+/?$', signedIn: true, modules: ['src/layouts/MemberLayout.vue', 'src/views/member/ExamIntroView.vue'] },
  { path: '^/exams/?$', signedIn: true, modules: ['src/layouts/MemberLayout.vue', 'src/views/member/ExamsView.vue'] },
  { path: '^/study/?$', signedIn: true, modules: ['src/layouts/MemberLayout.vue', 'src/views/member/StudyView.vue'] },
  // Signed out, every page is the login page (the router sends it there).
  { path: '', signedIn: false, modules: ['src/views/LoginView.vue'] },
]
/** Where the auth store keeps the session (stores/auth.ts): present = signed in. */
const AUTH_KEY = 'xuece.auth'

function routePreload(): Plugin {
  return {
    name: 'xuece:route-preload',
    apply: 'build',
    enforce: 'post',
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const html = bundle['index.html']
        if (!html || html.type !== 'asset') return
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk')
        const entry = chunks.find((c) => c.isEntry)
        if (!entry) return
        const byFile = new Map(chunks.map((c) => [c.fileName, c]))
        // The entry and what it imports statically are already in index.html.
        const loaded = new Set<string>()
        const closure = (file: string, into: Set<string>) => {
          const c = byFile.get(file)
          if (!c || into.has(file) || loaded.has(file)) return
          into.add(file)
          for (const css of c.viteMetadata?.importedCss ?? []) if (!loaded.has(css)) into.add(css)
          for (const imp of c.imports) closure(imp, into)
        }
        closure(entry.fileName, loaded)
        const routes = PRELOAD_ROUTES.map((r) => {
          const files = new Set<string>()
          for (const mod of r.modules) {
            const id = path.join(root, mod)
            const chunk = chunks.find((c) => c.facadeModuleId === id)
            if (!chunk) this.error(`route preload: ${mod} is not a chunk of its own (is it still lazy in router.ts?)`)
            closure(chunk.fileName, files)
          }
          // Stylesheets first: small, and a page waits for them before it draws.
          const list = [...files].sort((a, b) => Number(b.endsWith('.css')) - Number(a.endsWith('.css')))
          return [r.signedIn, r.path, list] as const
        })
        const code = `// Route-aware preloading (web/vite.config.ts, routePreload).
(function () {
  var signedIn = false
  try { signedIn = !!localStorage.getItem(${JSON.stringify(AUTH_KEY)}) } catch (e) {}
  var routes = ${JSON.stringify(routes)}
  for (var i = 0; i < routes.length; i++) {
    if (routes[i][0] !== signedIn || !new RegExp(routes[i][1]).test(location.pathname)) continue
    for (var j = 0; j < routes[i][2].length; j++) {
      var file = routes[i][2][j], link = document.createElement('link')
      if (/\\.css$/.test(file)) { link.rel = 'preload'; link.as = 'style' } else link.rel = 'modulepreload'
      link.crossOrigin = ''
      link.href = '/' + file
      document.head.appendChild(link)
    }
    return
  }
})()
`
        const hash = createHash('sha256').update(code).digest('base64url').slice(0, 8)
        const fileName = `assets/route-preload-${hash}.js`
        this.emitFile({ type: 'asset', fileName, source: code })
        const source = String(html.source)
        const tag = `<script src="/${fileName}"></script>`
        html.source = source.replace(/(<script type="module"[^>]*><\/script>)/, `$1\n    ${tag}`)
        if (html.source === source) this.error('route preload: no entry script in index.html')
      },
    },
  }
}

/**
 * A manifest (add 学测 to the home screen) and a service worker: the shell (index.html, the entry
 * script and stylesheet, icons) is precached so the app opens offline; every hashed asset a page
 * loads is kept cache-first (immutable names). A new build's worker takes over at once and the page
 * announces the new version (main.ts) instead of breaking; API and socket.io never go through a cache.
 */
const pwa = () =>
  VitePWA({
    injectRegister: false, // main.ts registers it and announces updates
    registerType: 'autoUpdate',
    includeAssets: ['apple-touch-icon.png'],
    manifest: {
      id: '/',
      name: '学测 · 党员学习与知识测试',
      short_name: '学测',
      description: '党员教育在线学习与知识测试',
      lang: 'zh-CN',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      orientation: 'portrait',
      theme_color: '#c8161d',
      background_color: '#ffffff',
      icons: [
        { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
      ],
    },
    workbox: {
      globPatterns: ['index.html', 'assets/index-*.{js,css}', 'assets/route-preload-*.js', '*.png'],
      navigateFallback: '/index.html',
      navigateFallbackDenylist: [/^\/api(\/|$)/, /^\/socket\.io/, /^\/media\//, /^\/assets\//],
      cleanupOutdatedCaches: true,
      skipWaiting: true,
      clientsClaim: true,
      runtimeCaching: [
        {
          urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/assets/'),
          handler: 'CacheFirst',
          options: {
            cacheName: 'xuece-assets',
            expiration: { maxEntries: 300, maxAgeSeconds: 60 * 60 * 24 * 90 },
            cacheableResponse: { statuses: [200] },
          },
        },
      ],
    },
  })

export default defineConfig({
  root,
  plugins: [vantIconsOffline(), vantStylesOnDemand(), vue(), routePreload(), pwa(), precompress()],
  resolve: {
    alias: [
      { find: '@', replacement: fileURLToPath(new URL('./src', import.meta.url)) },
      // element-plus's tree-select option is written with the Options API, compiled out below.
      { find: /^\.\/tree-select-option\.mjs$/, replacement: fileURLToPath(new URL('./src/vendor/tree-select-option.ts', import.meta.url)) },
    ],
  },
  // The Options API is not used: every component is <script setup>, and so are vant's and element-plus's
  // but one (the tree-select option, replaced by the alias above).
  define: { __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // dist/.vite/manifest.json: the bundle budget (scripts/web-budget.ts) follows the member home's imports.
    manifest: true,
    rolldownOptions: { output: { codeSplitting: { groups: CHUNK_GROUPS } } },
  },
  server: {
    // `npm run dev:web` beside `npm run dev`: the API and socket.io stay on the server's port.
    proxy: {
      '/api': 'http://localhost:3000',
      '/socket.io': { target: 'http://localhost:3000', ws: true },
    },
  },
})
