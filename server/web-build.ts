// `npm start` on a fresh clone has no built web app yet: build it once, then serve it.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PROJECT_ROOT } from './lib/paths.js'

const root = PROJECT_ROOT

/**
 * The build runs as a child process (vite's own command line), not inside the server: a build's
 * memory stays with the process that did it — the embedded server's first start held 1.46 GB
 * resident after building in-process against 0.49 GB on every later start.
 */
export async function ensureWebBuilt(distDir: string, log: (msg: string) => void, configFile = path.join(root, 'web/vite.config.ts')) {
  if (fs.existsSync(path.join(distDir, 'index.html'))) return
  log('未找到前端构建产物，正在构建（首次启动约需 1 分钟）…')
  const vite = path.join(path.dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js')
  const args = [vite, 'build', '--config', configFile, '--mode', 'production', '--logLevel', 'warn']
  // NODE_ENV as in buildWebApp below: a non-production build leaves out the service worker.
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('exit', resolve))
  if (code !== 0) throw new Error(`前端构建失败（vite build 退出码 ${code}），请运行 npm run build 查看原因`)
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
