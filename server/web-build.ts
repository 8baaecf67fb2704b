// `npm start` on a fresh clone has no built web app yet: build it once, then serve it.
import fs from 'node:fs'
import path from 'node:path'
import { PROJECT_ROOT } from './lib/paths.js'

const root = PROJECT_ROOT

export async function ensureWebBuilt(distDir: string, log: (msg: string) => void) {
  if (fs.existsSync(path.join(distDir, 'index.html'))) return
  log('未找到前端构建产物，正在构建（首次启动约需 1 分钟）…')
  await buildWebApp({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn' })
  log('前端构建完成')
}

/**
 * vite build, always as a production build: Vite takes NODE_ENV from the environment when it is set
 * (vitest sets "test"), and a non-production build leaves out the service worker registration.
 */
export async function buildWebApp(config: import('vite').InlineConfig) {
  const { build } = await import('vite')
  const before = process.env.NODE_ENV
  process.env.NODE_ENV = 'production'
  try {
    await build({ mode: 'production', ...config })
  } finally {
    if (before === undefined) delete process.env.NODE_ENV
    else process.env.NODE_ENV = before
  }
}
