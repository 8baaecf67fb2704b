// Chaos tests run real server processes against a PostgreSQL database of their own.
import type { Socket } from 'socket.io-client'
import { randomBytes } from 'node:crypto'
import { openDatabase, type DbHandle } from '../../server/db/connect.js'
import { migrateToLatest } from '../../server/db/migrator.js'
import { hashPassword } from '../../server/lib/passwords.js'
import { insertOrg } from '../../server/modules/orgs/queries.js'
import { syncBank, BANK_DIR } from '../../server/modules/questions/bank-sync.js'
import { startMain, waitFor, type Started } from '../helpers/process.js'
import { adminStatement } from '../helpers/pg-client.js'

export const PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres'
export const ADMIN_PASSWORD = 'Chaos-Admin-2026'
export const TAKER_PASSWORD = 'Chaos-Taker-2026'
export const JWT_SECRET = 'chaos-secret-chaos-secret-chaos-secret'
/** Takers per scenario: small in CI, larger by `CHAOS_TAKERS=500 npm run test:chaos`. */
export const TAKERS = Number(process.env.CHAOS_TAKERS ?? 150)

const admin = (q: string) => adminStatement(PG_URL, q)

export interface ChaosDb {
  url: string
  name: string
  handle: DbHandle
  drop(): Promise<void>
}

/** A migrated database with one branch of `takers` people and the shipped bank. */
export async function chaosDatabase(takers: number): Promise<ChaosDb> {
  const name = `xuece_chaos_${randomBytes(4).toString('hex')}`
  await admin(`create database ${name}`)
  const u = new URL(PG_URL)
  u.pathname = `/${name}`
  const url = u.toString()
  const handle = await openDatabase({ kind: 'postgres', url, poolSize: 5 })
  await migrateToLatest(handle.db)
  await syncBank(handle.db, BANK_DIR)
  const root = await insertOrg(handle.db, { name: '混沌测试厅', kind: 'department', parentId: null, parentPath: null })
  const branch = await insertOrg(handle.db, { name: '混沌支部', kind: 'branch', parentId: root.id, parentPath: root.path })
  const [adminHash, takerHash] = await Promise.all([hashPassword(ADMIN_PASSWORD), hashPassword(TAKER_PASSWORD)])
  await handle.db
    .insertInto('users')
    .values([
      { username: 'admin', name: '管理员', role: 'admin', org_id: root.id, password_hash: adminHash },
      { username: 'sec', name: '书记', role: 'secretary', org_id: branch.id, password_hash: takerHash },
      ...Array.from({ length: takers }, (_, i) => ({
        username: `t${i}`,
        name: `考生${i}`,
        role: 'member' as const,
        org_id: branch.id,
        password_hash: takerHash,
      })),
    ])
    .execute()
  return {
    url,
    name,
    handle,
    drop: async () => {
      await handle.close()
      await admin(`drop database if exists ${name} with (force)`)
    },
  }
}

export async function startServer(url: string, extra: Record<string, string | undefined> = {}, startTimeoutMs = 60_000): Promise<Started> {
  // Two nodes at once must stay well under PostgreSQL's max_connections (100 here).
  const p = await startMain({
    DATABASE_URL: url,
    JWT_SECRET,
    ADMIN_PASSWORD,
    DATA_DIR: '/tmp/xuece-chaos-unused',
    LOG_LEVEL: 'info',
    DATABASE_POOL_SIZE: '20',
    // One process unless a test asks for workers (on PostgreSQL the default is one per core).
    WORKERS: '1',
    ...extra,
  })
  await waitFor(p, /已启动/, startTimeoutMs)
  return p
}

export class Client {
  token = ''
  constructor(readonly base: string) {}
  async call(method: string, path: string, body?: unknown) {
    const res = await fetch(this.base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(this.token && { authorization: `Bearer ${this.token}` }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    let json: any = null
    try {
      json = JSON.parse(text)
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: json }
  }
  async login(username: string, password: string) {
    const res = await this.call('POST', '/api/auth/login', { username, password })
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`)
    this.token = res.body.accessToken
    return this
  }
}

/** Runs `fn` over items with at most `n` in flight. */
export async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i], i)
      }
    }),
  )
  return out
}

export function examBody(orgIds: number[], opts: { closesInMs: number; durationMinutes?: number; questions?: number; title?: string }) {
  return {
    title: opts.title ?? '混沌测试',
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + opts.closesInMs).toISOString(),
    durationMinutes: opts.durationMinutes ?? 60,
    audienceOrgIds: orgIds,
    passScore: 0,
    maxAttempts: 1,
    shuffleQuestions: true,
    shuffleOptions: false,
    releaseResults: 'immediately',
    paper: { rules: [{ type: 'judge', count: opts.questions ?? 10, scoreEach: 10 }] },
  }
}

/** A taker's live socket, as far as autosave uses it. */
export type SavingSocket = Pick<Socket, 'connected' | 'timeout'>

/**
 * Each taker saves answers to her attempt in a loop until `stop()`: every save sent is recorded per
 * (attempt, question) in send order, with whether it was acknowledged. A request that dies with its
 * server is simply not acknowledged. A taker given a socket saves over it while it is connected (as
 * the web app does), else over HTTP; a save whose ack never comes is not acknowledged either.
 */
export function autosaveLoad(
  takers: Client[],
  papers: { attemptId: number; questions: { id: number }[] }[],
  sockets: (SavingSocket | undefined)[] = [],
) {
  const sent = new Map<string, { value: boolean; acked: boolean }[]>()
  const counts = { acked: 0, overSocket: 0 }
  let running = true
  const load = takers.map(async (c, i) => {
    const paper = papers[i]
    let n = 0
    while (running) {
      const q = paper.questions[n++ % paper.questions.length]
      const key = `${paper.attemptId}:${q.id}`
      const entry = { value: Math.random() < 0.5, acked: false }
      sent.set(key, [...(sent.get(key) ?? []), entry])
      const socket = sockets[i]
      const overSocket = socket?.connected === true
      try {
        const acked = overSocket
          ? (await socket!.timeout(3000).emitWithAck('attempt:save', { attemptId: paper.attemptId, questionId: q.id, answer: entry.value }))
              .ok
          : (await c.call('PUT', `/api/attempts/${paper.attemptId}/answers/${q.id}`, { answer: entry.value })).status === 200
        if (acked) {
          entry.acked = true
          counts.acked++
          if (overSocket) counts.overSocket++
        }
      } catch {
        /* the server died mid-request, or the ack never came: not acknowledged */
      }
      // A socket's saves are paced below its autosave bucket (20 a second), as a person's are.
      if (socket) await new Promise((r) => setTimeout(r, 100))
    }
  })
  return {
    sent,
    counts,
    async stop() {
      running = false
      await Promise.all(load)
    },
  }
}

/** Keys of (attempt, question) whose last acknowledged answer — or one sent after it — is not stored. */
export async function lostAnswers(db: ChaosDb, sent: Map<string, { value: boolean; acked: boolean }[]>): Promise<string[]> {
  const rows = await db.handle.db.selectFrom('attempt_answers').select(['attempt_id', 'question_id', 'answer']).execute()
  const stored = new Map(rows.map((r) => [`${r.attempt_id}:${r.question_id}`, r.answer]))
  const lost: string[] = []
  for (const [key, list] of sent) {
    const lastAcked = list.map((e) => e.acked).lastIndexOf(true)
    if (lastAcked < 0) continue
    if (!stored.has(key) || !list.slice(lastAcked).some((e) => e.value === stored.get(key))) lost.push(key)
  }
  return lost
}
