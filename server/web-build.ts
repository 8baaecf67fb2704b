// `npm start` on a fresh clone has no built web app yet: build it once, then serve it.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export async function ensureWebBuilt(distDir: string, log: (msg: string) => void) {
  if (fs.existsSync(path.join(distDir, 'index.html'))) return
  log('未找到前端构建产物，正在构建（首次启动约需 1 分钟）…')
  const { build } = await import('vite')
  await build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn' })
  log('前端构建完成')
}
