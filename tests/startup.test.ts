// First start (admin from ADMIN_PASSWORD, demo data when embedded, refusal on an empty PostgreSQL), against the real entry point in a child process.
import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { adminStatement } from './helpers/pg-client.js'
import { openDatabase } from '../server/db/connect.js'
import { startMain, stop, waitFor, type Started } from './helpers/process.js'
import { TEST_DATABASE_URL } from './helpers/template-db.js'

const running: Started[] = []
const dirs: string[] = []
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-start-'))
  dirs.push(d)
  return d
}
afterAll(async () => {
  await Promise.all(running.map((p) => stop(p, 'SIGKILL')))
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
})

async function login(port: number, username: string, password: string) {
  const res = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  return res.status
}

describe('embedded database', () => {
  it('seeds demo data, prints the accounts, and refuses a second process on the same directory', async () => {
    const dataDir = tempDir()
    const first = await startMain({ DATA_DIR: dataDir, DATABASE_URL: undefined, ADMIN_PASSWORD: undefined })
    running.push(first)
    await waitFor(first, /已启动/)
    expect(first.output()).toMatch(/admin\s+Admin@2026/)
    // …and the demo exam, once the bank is loaded (tests/demo-exam.test.ts checks what it holds).
    expect(first.output()).toMatch(/已生成演示考试「党史知识集中测试（演示）」：\d+ 人已交卷/)
    const health = await (await fetch(`http://127.0.0.1:${first.port}/api/health`)).json()
    expect(health).toEqual({ status: 'ok', db: 'pglite', demo: true })
    expect(await login(first.port, 'admin', 'Admin@2026')).toBe(200)
    expect(await login(first.port, 'dy0001', 'Demo@2026')).toBe(200)
    // Deep links load the app, unknown API paths are JSON 404s.
    const deep = await fetch(`http://127.0.0.1:${first.port}/exams/12`)
    expect(deep.headers.get('content-type')).toContain('text/html')

    const second = await startMain({ DATA_DIR: dataDir, DATABASE_URL: undefined })
    running.push(second)
    expect(await second.exited).toBe(1)
    expect(second.output()).toContain('数据目录')

    // A restart on the same directory keeps the data and does not seed again.
    await stop(first)
    const again = await startMain({ DATA_DIR: dataDir, DATABASE_URL: undefined })
    running.push(again)
    await waitFor(again, /已启动/)
    expect(again.output()).not.toContain('演示账号')
    expect(again.output()).not.toContain('演示考试')
    expect(await login(again.port, 'dy0001', 'Demo@2026')).toBe(200)
    await stop(again)
  }, 120_000)

  it('with ADMIN_PASSWORD creates only the admin, recording when her password was set', async () => {
    const dataDir = tempDir()
    const p = await startMain({ DATA_DIR: dataDir, DATABASE_URL: undefined, ADMIN_PASSWORD: 'Str0ng-Admin-Pass' })
    running.push(p)
    await waitFor(p, /已启动/)
    expect(await login(p.port, 'admin', 'Str0ng-Admin-Pass')).toBe(200)
    expect(await login(p.port, 'dy0001', 'Demo@2026')).toBe(401)
    await stop(p)
    // The password's age counts from the first start, so a policy's passwordMaxDays applies to her.
    const handle = await openDatabase({ kind: 'pglite', dataDir })
    try {
      const row = await handle.db
        .selectFrom('users')
        .select('password_changed_at')
        .where('username', '=', 'admin')
        .executeTakeFirstOrThrow()
      expect(row.password_changed_at).not.toBeNull()
    } finally {
      await handle.close()
    }
  }, 120_000)
})

describe.runIf(TEST_DATABASE_URL)('PostgreSQL', () => {
  const databases: string[] = []
  const admin = (q: string) => adminStatement(TEST_DATABASE_URL!, q)
  const fresh = async () => {
    const name = `xuece_start_${randomBytes(4).toString('hex')}`
    await admin(`create database ${name}`)
    databases.push(name)
    const u = new URL(TEST_DATABASE_URL!)
    u.pathname = `/${name}`
    return u.toString()
  }
  afterAll(async () => {
    for (const d of databases) await admin(`drop database if exists ${d} with (force)`)
  })

  it('refuses an empty database without ADMIN_PASSWORD, and creates the admin with it', async () => {
    const url = await fresh()
    const refused = await startMain({ DATABASE_URL: url, JWT_SECRET: 'x'.repeat(32), ADMIN_PASSWORD: undefined, DATA_DIR: tempDir() })
    running.push(refused)
    expect(await refused.exited).toBe(1)
    expect(refused.output()).toContain('ADMIN_PASSWORD')

    const noSecret = await startMain({ DATABASE_URL: url, JWT_SECRET: undefined, ADMIN_PASSWORD: 'Str0ng-Admin-Pass', DATA_DIR: tempDir() })
    running.push(noSecret)
    expect(await noSecret.exited).toBe(1)
    expect(noSecret.output()).toContain('JWT_SECRET')

    const ok = await startMain({ DATABASE_URL: url, JWT_SECRET: 'x'.repeat(32), ADMIN_PASSWORD: 'Str0ng-Admin-Pass', DATA_DIR: tempDir() })
    running.push(ok)
    await waitFor(ok, /已启动/)
    // On PostgreSQL the default is one worker process per core.
    const cores = os.availableParallelism()
    if (cores > 1) expect(ok.output()).toContain(`（${cores} 个工作进程）`)
    expect(await (await fetch(`http://127.0.0.1:${ok.port}/api/health`)).json()).toEqual({ status: 'ok', db: 'postgres', demo: false })
    expect(await login(ok.port, 'admin', 'Str0ng-Admin-Pass')).toBe(200)
    await stop(ok)
  }, 120_000)
})
