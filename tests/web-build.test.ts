// The first start's web build runs as a child process (server/web-build.ts). A build that fails
// must stop the start with a plain message, not hang it or leave it serving nothing.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureWebBuilt } from '../server/web-build.js'

describe('web build at first start', () => {
  it('does nothing when the build is there', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-web-'))
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html>')
    const said: string[] = []
    await ensureWebBuilt(dist, (m) => said.push(m), '/nonexistent/vite.config.ts')
    expect(said).toEqual([])
  })

  it('stops with a plain message when the build fails', async () => {
    const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-web-'))
    const config = path.join(dist, 'broken.config.mjs')
    fs.writeFileSync(config, 'throw new Error("broken config")\n')
    const said: string[] = []
    await expect(ensureWebBuilt(dist, (m) => said.push(m), config)).rejects.toThrow(/前端构建失败（vite build 退出码 1）/)
    expect(said).toEqual(['未找到前端构建产物，正在构建（首次启动约需 1 分钟）…'])
    expect(fs.existsSync(path.join(dist, 'index.html'))).toBe(false)
  })
})
