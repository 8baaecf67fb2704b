// Shared setup of the contest tests (tests/contests*.test.ts): one listening app per file on a
// database of its own, its contest seconds shortened; phones and hall screens are real socket.io
// clients, closed with the app. `branchContests` adds what the tests of skips, voids, restarts and
// cancels use: contests of one branch (政策法规处党支部) made from questions no other test of the
// file has used, and exams opened on them mid-game.
import { afterAll, beforeAll, expect } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { baseUrlOf, bearer, createTestContext, TEST_JWT_SECRET, type TestContext } from './app.js'
import { createOpenExam } from './exams.js'
import { connect, until, type ClientSocket } from './sockets.js'
import { keyFor, recordAll, wrongFor, type Received } from './live-games.js'
import { contestRuntimeOf } from '../../server/modules/contests/index.js'
import { buildApp } from '../../server/app.js'
import { DEMO_ADMIN } from '../../server/seed/demo.js'

/** One contest "second", in ms: a 20-second question lasts 3 s here. */
export const SECOND_MS = 150

export interface Phone {
  username: string
  userId: number
  socket: ClientSocket
  log: Received[]
}

export const seen = (p: { log: Received[] }, event: string) => p.log.filter((e) => e.event === event)
export const ack = (s: ClientSocket, event: string, payload: object) =>
  s.timeout(5000).emitWithAck(event as 'contest:join', payload as any) as Promise<any>
export const username = (n: number) => `dy${String(n).padStart(4, '0')}`

export interface ContestEnv {
  t: TestContext
  admin: string
  orgs: any[]
}

function shortenContests(app: FastifyInstance) {
  const runtime = contestRuntimeOf(app)!
  runtime.timing.secondMs = SECOND_MS
  runtime.timing.reading = { baseMs: 0, perCharMs: 0, capMs: 0 }
}

/** Registers the file's app (beforeAll) and its teardown (afterAll); `env` is filled once beforeAll has run. */
export function useContestServer() {
  const env = {} as ContestEnv
  const sockets: ClientSocket[] = []
  const nodes: FastifyInstance[] = []
  beforeAll(async () => {
    env.t = await createTestContext({ listen: true })
    env.admin = await env.t.login(DEMO_ADMIN.username)
    env.orgs = (await env.t.http().get('/api/orgs').set(bearer(env.admin))).body
    shortenContests(env.t.app)
  })
  afterAll(async () => {
    sockets.forEach((s) => s.close())
    for (const n of nodes) await n.close().catch(() => {})
    await env.t?.close()
  })
  /** A socket of `token` on the app (or the node at `baseUrl`), closed at the end of the file. */
  async function connected(token: string, baseUrl = env.t.baseUrl) {
    const socket = await connect(baseUrl, token)
    sockets.push(socket)
    return socket
  }
  return {
    env,
    connected,
    org: (name: string) => env.orgs.find((o) => o.name === name),
    /**
     * Another process on the file's database, listening, its contest seconds shortened: a lone
     * process is its own games home, so closing one node and opening the next is a restart of the
     * games home (closed at the end of the file if the test has not).
     */
    async node() {
      const app = await buildApp({
        db: env.t.db,
        dbKind: env.t.app.dbKind,
        jwtSecret: TEST_JWT_SECRET,
        logLevel: 'silent',
        webDist: '/nonexistent',
        dataDir: env.t.dataDir,
      })
      nodes.push(app)
      await app.listen({ port: 0, host: '127.0.0.1' })
      shortenContests(app)
      return { app, baseUrl: baseUrlOf(app) }
    },
    /** A member's phone, signed in, every event it receives recorded. */
    async phone(username: string, baseUrl?: string): Promise<Phone> {
      const socket = await connected(await env.t.login(username), baseUrl)
      const { id } = await env.t.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()
      return { username, userId: id, socket, log: recordAll(socket) }
    },
  }
}

export type ContestServer = ReturnType<typeof useContestServer>

/** Contests of 政策法规处党支部: no test of these files opens an exam for it or its units but through `lockOnExam`. */
export function branchContests({ env, org, phone, connected }: ContestServer) {
  const BRANCH = '政策法规处党支部'
  const SECRETARY = 'sj_zcfg'
  let used = 0
  /** Published single-choice questions no other test here uses (with options, so a leak of one shows). */
  async function freshSingles(n: number) {
    const rows = await env.t.db
      .selectFrom('questions')
      .select(['id', 'stem', 'options'])
      .where('type', '=', 'single')
      .where('status', '=', 'published')
      .orderBy('id', 'desc')
      .offset(used)
      .limit(n)
      .execute()
    used += n
    return rows
  }
  async function members(n: number, baseUrl?: string) {
    const rows = await env.t.db
      .selectFrom('users')
      .select('username')
      .where('org_id', '=', org(BRANCH).id)
      .where('role', '=', 'member')
      .orderBy('username')
      .limit(n)
      .execute()
    return Promise.all(rows.map((r) => phone(r.username, baseUrl)))
  }
  async function create(sec: string, questionIds: number[], secondsPerQuestion = 20) {
    const res = await env.t
      .http()
      .post('/api/contests')
      .set(bearer(sec))
      .send({ title: `跳题竞答 ${Date.now()}`, orgId: org(BRANCH).id, questionIds, secondsPerQuestion })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    return res.body as { id: number; pin: string }
  }
  const lockOnExam = (questionIds: number[]) =>
    createOpenExam(env.t, env.admin, {
      title: `竞答进行中开考 ${Date.now()}`,
      audienceOrgIds: [org(BRANCH).id],
      paper: { questionIds, scoreEach: 100 },
    })
  async function hall(sec: string, contestId: number, baseUrl?: string) {
    const socket = await connected(sec, baseUrl)
    const h = { socket, log: recordAll(socket) }
    return { ...h, hosted: await ack(socket, 'contest:host', { contestId }) }
  }
  /**
   * A contest of `n` fresh singles made by the secretary, its hall screen open, `players` members in
   * it, question 1 asked (on the file's app, or the node at `baseUrl`).
   */
  async function underway(n: number, players: number, secondsPerQuestion = 20, baseUrl?: string) {
    const sec = await env.t.login(SECRETARY)
    const qs = await freshSingles(n)
    const created = await create(
      sec,
      qs.map((x) => x.id),
      secondsPerQuestion,
    )
    const host = await hall(sec, created.id, baseUrl)
    const phones = await members(players, baseUrl)
    for (const p of phones) expect((await ack(p.socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    return { sec, qs, created, host, phones }
  }
  /** The audit log's entries of `action` on a contest: who, and what. */
  const auditOf = (action: string, contestId: number) =>
    env.t.db
      .selectFrom('audit_log')
      .select(['actor_id', 'details'])
      .where('action', '=', action)
      .where('target_id', '=', String(contestId))
      .orderBy('id')
      .execute()
  /** Everyone answers the open question `index`: those in `right` rightly, the others wrongly. */
  async function answer(contestId: number, index: number, who: Phone[], right: Phone[]) {
    const q = (await until(() => seen(who[0], 'contest:question').find((e) => e.payload.index === index))).payload
    for (const p of who) {
      const value = right.includes(p) ? await keyFor(env.t.db, q.question) : await wrongFor(env.t.db, q.question)
      expect(await ack(p.socket, 'contest:answer', { contestId, index, answer: value })).toEqual({ ok: true })
    }
    await until(() => seen(who[0], 'contest:reveal').find((e) => e.payload.index === index), 5000)
    return q.question.id as number
  }
  return { BRANCH, SECRETARY, freshSingles, members, create, lockOnExam, hall, underway, auditOf, answer }
}
