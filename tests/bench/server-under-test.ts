// The server the exam-day bench measures, with the people it needs: on PostgreSQL, a database of
// its own seeded directly (thousands of takers, secretaries, the storm's people) and the built
// server started on it as `npm start` runs it; embedded, `npm start` on a fresh PGlite data
// directory whose demo department takes the exam.
import os from 'node:os'
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { adminStatement } from '../helpers/pg-client.js'
import { openDatabase } from '../../server/db/connect.js'
import { migrateToLatest } from '../../server/db/migrator.js'
import { hashPassword } from '../../server/lib/passwords.js'
import { insertOrg } from '../../server/modules/orgs/queries.js'
import { syncBank, BANK_DIR } from '../../server/modules/questions/bank-sync.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../../server/seed/demo.js'
import { startMain, stop, waitFor } from '../helpers/process.js'
import { mintTokens } from './tokens.js'
import { startNginx } from './proxy.js'
import type { BenchOptions } from './options.js'

export interface ServerUnderTest {
  base: string
  /** The started server process: its whole tree is what the memory figure sums. */
  serverPid: number
  adminToken: string
  rootOrgId: number
  takers: string[]
  password: string
  /** People seeded for the login storm (they take no exam). */
  stormUsers: string[]
  /** Sessions for people who do not log in through the API (minted, or logged in up front). */
  tokenOf(username: string): Promise<string | undefined>
  secretaryTokens: string[]
  /** Takers whose login is measured (the others get `tokenOf`). */
  loginSample: number
  close(): Promise<void>
}

const PASSWORD = 'Bench-2026-pass'

export async function loginVia(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  const body = (await res.json()) as { accessToken?: string }
  if (!body.accessToken) throw new Error(`login ${username}: ${res.status}`)
  return body.accessToken
}

/**
 * PostgreSQL: the database at `url` (created by the caller, dropped by `close`) migrated and seeded
 * directly, most sessions minted, then the built server started on it with `WORKERS` workers.
 */
export async function postgresServer(
  options: BenchOptions,
  url: URL,
  dbName: string,
  log: (line: string) => void,
): Promise<ServerUnderTest> {
  const { takers, secretaries, storm } = options
  log(`seeding ${takers} takers, ${secretaries} secretaries and ${storm} people for the login storm`)
  const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 4 })
  await migrateToLatest(handle.db)
  await syncBank(handle.db, BANK_DIR)
  const root = await insertOrg(handle.db, { name: '压测厅', kind: 'department', parentId: null, parentPath: null })
  const units = await Promise.all(
    Array.from({ length: secretaries }, (_, i) =>
      insertOrg(handle.db, { name: `压测支部${i + 1}`, kind: 'branch', parentId: root.id, parentPath: root.path, sort: i }),
    ),
  )
  const hash = await hashPassword(PASSWORD)
  await handle.db
    .insertInto('users')
    .values({ username: 'admin', name: '管理员', role: 'admin', org_id: root.id, password_hash: hash })
    .execute()
  const seedPeople = async (prefix: string, count: number, label: string) => {
    for (let i = 0; i < count; i += 2000)
      await handle.db
        .insertInto('users')
        .values(
          Array.from({ length: Math.min(2000, count - i) }, (_, j) => ({
            username: `${prefix}${i + j}`,
            name: `${label}${i + j}`,
            role: 'member' as const,
            org_id: units[(i + j) % units.length].id,
            password_hash: hash,
          })),
        )
        .execute()
  }
  await seedPeople('b', takers, '考生')
  await seedPeople('storm', storm, '登录者')
  await handle.db
    .insertInto('users')
    .values(units.map((u, i) => ({ username: `s${i}`, name: `书记${i}`, role: 'secretary' as const, org_id: u.id, password_hash: hash })))
    .execute()
  const users = await handle.db.selectFrom('users').select(['id', 'username']).where('username', 'not like', 'storm%').execute()
  const jwtSecret = randomBytes(24).toString('hex')
  const minted = await mintTokens(
    handle.db,
    users.filter((u) => u.username !== 'admin').map((u) => u.id),
    jwtSecret,
  )
  const tokenByName = new Map(users.map((u) => [u.username, minted.get(u.id)!]))
  await handle.close()
  const server = await startMain(
    {
      DATABASE_URL: url.toString(),
      JWT_SECRET: jwtSecret,
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      DATA_DIR: '/tmp/xuece-bench-unused',
      WORKERS: String(options.workers),
      // Behind the proxy the client address comes from X-Forwarded-For, as in the README's deployment.
      ...(options.proxy && { TRUST_PROXY: '127.0.0.1' }),
    },
    { fromBuild: true },
  )
  await waitFor(server, /已启动/, 180_000)
  const proxy = options.proxy ? await startNginx(server.port) : undefined
  const base = proxy?.base ?? `http://127.0.0.1:${server.port}`
  return {
    base,
    serverPid: server.child.pid!,
    adminToken: await loginVia(base, 'admin', PASSWORD),
    rootOrgId: root.id,
    password: PASSWORD,
    takers: Array.from({ length: takers }, (_, i) => `b${i}`),
    stormUsers: Array.from({ length: storm }, (_, i) => `storm${i}`),
    tokenOf: async (u) => tokenByName.get(u),
    secretaryTokens: units.map((_, i) => tokenByName.get(`s${i}`)!),
    loginSample: Math.min(options.loginSample, takers),
    close: async () => {
      await proxy?.stop()
      await stop(server)
      const out = server.output()
      if (out.length > 10_000) log(`server wrote ${out.length} bytes of output; last lines:\n${out.slice(-1500)}`)
      // `BENCH_SERVER_LOG=<file>` keeps all of it (warnings and up: workers restarted, handshakes refused …).
      if (process.env.BENCH_SERVER_LOG) fs.writeFileSync(process.env.BENCH_SERVER_LOG, out)
      await adminStatement(options.database, `drop database if exists ${dbName} with (force)`).catch(() => {})
    },
  }
}

/** Embedded PGlite: `npm start` on a fresh data directory, the demo department takes the exam. */
export async function embeddedServer(options: BenchOptions): Promise<ServerUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-bench-'))
  const server = await startMain({ DATABASE_URL: undefined, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }, { fromBuild: true })
  await waitFor(server, /已启动/)
  const base = `http://127.0.0.1:${server.port}`
  const adminToken = await loginVia(base, DEMO_ADMIN.username, DEMO_ADMIN.password)
  const get = async (p: string) => (await fetch(base + p, { headers: { authorization: `Bearer ${adminToken}` } })).json() as Promise<any>
  const users = (await get('/api/users?pageSize=500')).items as { username: string; role: string }[]
  const orgs = (await get('/api/orgs')) as { id: number; parentId: number | null }[]
  const secretaries = users.filter((u) => u.role === 'secretary').map((u) => u.username)
  const tokens = new Map<string, string>()
  return {
    base,
    serverPid: server.child.pid!,
    adminToken,
    rootOrgId: orgs.find((o) => o.parentId === null)!.id,
    password: DEMO_PASSWORD,
    takers: users
      .filter((u) => u.role === 'member')
      .map((u) => u.username)
      .slice(0, options.takers),
    stormUsers: [],
    tokenOf: async (u) => {
      if (!tokens.has(u)) tokens.set(u, await loginVia(base, u, DEMO_PASSWORD))
      return tokens.get(u)
    },
    secretaryTokens: await Promise.all(secretaries.slice(0, options.secretaries).map((u) => loginVia(base, u, DEMO_PASSWORD))),
    loginSample: Number.POSITIVE_INFINITY, // every taker logs in for real
    close: async () => {
      await stop(server)
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
