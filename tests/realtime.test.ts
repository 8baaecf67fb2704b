import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, baseUrlOf, listeningRedisNode, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { connect, record, until, watchExam, type ClientSocket } from './helpers/sockets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { hashPassword } from '../server/lib/passwords.js'

let t: TestContext
let admin: string
let orgs: any[]
let exam: any
const sockets: ClientSocket[] = []
const org = (name: string) => orgs.find((o) => o.name === name)
const open = async (token: string) => {
  const s = await connect(t.baseUrl, token)
  sockets.push(s)
  return s
}

async function takeAndSubmit(base: () => any, token: string, examId: number, right = true) {
  const start = await base().post(`/api/exams/${examId}/attempts`).set(bearer(token)).send({})
  const row = await t.db.selectFrom('attempts').select('paper').where('id', '=', start.body.attemptId).executeTakeFirstOrThrow()
  const q = (row.paper as any).questions[0]
  await base()
    .put(`/api/attempts/${start.body.attemptId}/answers/${q.id}`)
    .set(bearer(token))
    .send({ answer: right ? q.answer : !q.answer })
  return base().post(`/api/attempts/${start.body.attemptId}/submit`).set(bearer(token))
}

/** An exam open now for an hour, one judge question of 100 points; `fields` override. */
/** An exam open now for the whole department (the test may narrow the audience). */
const createLiveExam = (fields: { title: string } & Record<string, unknown>) =>
  createOpenExam(t, admin, { audienceOrgIds: [org('省工业和信息化厅').id], ...fields })

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  admin = await t.login(DEMO_ADMIN.username)
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
  exam = await createLiveExam({ title: '直播测试' })
})
afterAll(async () => {
  sockets.forEach((s) => s.close())
  await t?.close()
})

describe('handshake and scope', () => {
  it('refuses a missing or bad token with connect_error', async () => {
    await expect(connect(t.baseUrl, undefined)).rejects.toThrow(/UNAUTHORIZED/)
    await expect(connect(t.baseUrl, 'not-a-token')).rejects.toThrow(/UNAUTHORIZED/)
  })

  it('refuses to let a secretary watch an exam outside her subtree', async () => {
    const other = (
      await t
        .http()
        .post('/api/exams')
        .set(bearer(admin))
        .send({
          ...exam,
          id: undefined,
          createdAt: undefined,
          maxScore: undefined,
          questionCount: undefined,
          instructions: undefined,
          audienceOrgIds: [org('电子信息处党支部').id],
          title: '别的支部',
        })
    ).body
    const s = await open(await t.login('sj_bgs'))
    const reply = await watchExam(s, other.id)
    expect(reply.ok).toBe(false)
    expect((await watchExam(s, 999999)).ok).toBe(false)
  })
})

describe('pushes', () => {
  it('autosaves alone push nothing: the live figures do not move with a save', async () => {
    const watcher = await open(admin)
    const log = record(watcher, 'exam:progress', 'exam:leaderboard')
    expect(await watchExam(watcher, exam.id)).toEqual({ ok: true })
    await until(() => log.filter((e) => e.event === 'exam:leaderboard').length >= 1) // the resync
    await new Promise((r) => setTimeout(r, 400)) // anything still in flight from earlier tests
    const member = await t.login('dy0005')
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    await new Promise((r) => setTimeout(r, 400)) // the start's own push (started + 1)
    const before = log.length
    const q = start.body.questions[0]
    for (const answer of [true, false, true, false, true]) {
      const saved = await t.http().put(`/api/attempts/${start.body.attemptId}/answers/${q.id}`).set(bearer(member)).send({ answer })
      expect(saved.status).toBe(200)
    }
    await new Promise((r) => setTimeout(r, 600)) // more than two push intervals
    expect(log.slice(before)).toEqual([])
  })

  it('a submission reaches watchers as exam:progress and exam:leaderboard, scoped', async () => {
    const secretary = await open(await t.login('sj_bgs'))
    const adminSocket = await open(admin)
    const secLog = record(secretary, 'exam:progress', 'exam:leaderboard')
    const adminLog = record(adminSocket, 'exam:progress', 'exam:leaderboard')
    expect(await watchExam(secretary, exam.id)).toEqual({ ok: true })
    expect(await watchExam(adminSocket, exam.id)).toEqual({ ok: true })
    // The current state arrives at once after watching (resync).
    await until(() => secLog.find((e) => e.event === 'exam:progress'))
    const before = secLog.length

    // How fast is the bench's figure (submit → exam:progress p99), not an assertion here.
    await takeAndSubmit(t.http, await t.login('dy0001'), exam.id) // 办公室党支部
    await until(() =>
      secLog
        .slice(before)
        .filter((e) => e.event === 'exam:progress')
        .find((e) => e.payload.submitted === 1),
    )
    const board = await until(() => secLog.slice(before).find((e) => e.event === 'exam:leaderboard' && e.payload.top.length === 1))
    expect(board.payload.top[0]).toMatchObject({ rank: 1, name: expect.any(String), orgName: '办公室党支部', score: 100 })

    // Someone of another branch submits: the admin sees it, the secretary's figures do not move.
    await takeAndSubmit(t.http, await t.login('sj_dzxx'), exam.id)
    await until(() => adminLog.find((e) => e.event === 'exam:progress' && e.payload.submitted === 2))
    await new Promise((r) => setTimeout(r, 400))
    const secProgress = secLog.filter((e) => e.event === 'exam:progress')
    expect(secProgress.every((e) => e.payload.submitted <= 1)).toBe(true)
    expect(secProgress.at(-1)!.payload.byOrg.map((o: any) => o.name)).toEqual(['办公室党支部'])
    const secBoards = secLog.filter((e) => e.event === 'exam:leaderboard')
    expect(secBoards.every((e) => e.payload.top.every((r: any) => r.orgName === '办公室党支部'))).toBe(true)
  })

  it('results released after the close: members watching get an empty board from the same push that shows the admin hers', async () => {
    // Members and the admin both watch with scope '/': one push reads the boards once for both, and
    // must still keep the rows from the members' room until the exam closes.
    const later = await createLiveExam({ title: '统一公布的直播', releaseResults: 'after_close' })
    const adminSocket = await open(admin)
    const memberSocket = await open(await t.login('dy0003'))
    const adminLog = record(adminSocket, 'exam:leaderboard')
    const memberLog = record(memberSocket, 'exam:leaderboard')
    expect(await watchExam(adminSocket, later.id)).toEqual({ ok: true })
    expect(await watchExam(memberSocket, later.id)).toEqual({ ok: true })
    await takeAndSubmit(t.http, await t.login('dy0002'), later.id)
    await until(() => adminLog.find((e) => e.payload.examId === later.id && e.payload.top.length === 1))
    await new Promise((r) => setTimeout(r, 400))
    const memberBoards = memberLog.filter((e) => e.payload.examId === later.id)
    expect(memberBoards.length).toBeGreaterThan(1) // the resync and at least one push
    expect(memberBoards.every((e) => e.payload.top.length === 0)).toBe(true)
  })

  it('a burst of 500 submissions yields few pushes and the right final state', async () => {
    // 500 takers in one branch, made directly in the database (one hash for all).
    const passwordHash = await hashPassword('Burst2026x')
    const branch = org('原材料工业处党支部')
    await t.db
      .insertInto('users')
      .values(
        Array.from({ length: 500 }, (_, i) => ({
          username: `burst${i}`,
          name: `测试${i}`,
          role: 'member' as const,
          org_id: branch.id,
          password_hash: passwordHash,
        })),
      )
      .execute()
    const burstExam = await createLiveExam({ title: '压力', audienceOrgIds: [branch.id] })
    const watcher = await open(admin)
    const log = record(watcher, 'exam:progress', 'exam:leaderboard')
    await watchExam(watcher, burstExam.id)
    await until(() => log.length >= 2)
    const baseline = log.length

    const tokens: string[] = []
    for (let i = 0; i < 500; i += 25) {
      tokens.push(...(await Promise.all(Array.from({ length: 25 }, (_, j) => t.login(`burst${i + j}`, 'Burst2026x')))))
    }
    const started = Date.now()
    for (let i = 0; i < 500; i += 50) {
      await Promise.all(tokens.slice(i, i + 50).map((tk, j) => takeAndSubmit(t.http, tk, burstExam.id, (i + j) % 2 === 0)))
    }
    const elapsed = Date.now() - started
    const final = await until(() => log.filter((e) => e.event === 'exam:progress').find((e) => e.payload.submitted === 500), 5000)
    expect(final.payload).toMatchObject({ invited: 500 + branch.members, started: 500, submitted: 500 })
    const pushes = log.slice(baseline).filter((e) => e.event === 'exam:progress').length
    // 1,500 changes (start, answer, submit each). Coalesced to at most ~4 pushes a second (+2 for edges).
    expect(pushes).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 2)
    expect(pushes).toBeLessThan(150)
    const lastBoard = log.filter((e) => e.event === 'exam:leaderboard').at(-1)!
    expect(lastBoard.payload.top).toHaveLength(10)
    expect(lastBoard.payload.top.every((r: any) => r.score === 100)).toBe(true)
  }, 120_000)

  it('after a reconnect, watching again resyncs at once', async () => {
    const s1 = await open(admin)
    await watchExam(s1, exam.id)
    s1.close()
    await takeAndSubmit(t.http, await t.login('dy0002'), exam.id)
    const s2 = await open(admin)
    const log = record(s2, 'exam:progress')
    await watchExam(s2, exam.id)
    const first = await until(() => log[0])
    const monitor = (await t.http().get(`/api/exams/${exam.id}/monitor`).set(bearer(admin))).body
    expect(first.payload).toEqual({ examId: exam.id, ...monitor })
  })
})

describe('two nodes with Redis', () => {
  it('a watcher on node A sees a submission made on node B', async () => {
    const redisKey = `xuece-test-${process.pid}-${Date.now()}`
    const make = () => listeningRedisNode(t, redisKey)
    const [a, b] = [await make(), await make()]
    try {
      const watcher = await connect(baseUrlOf(a), admin)
      sockets.push(watcher)
      const log = record(watcher, 'exam:progress')
      await watchExam(watcher, exam.id)
      const current = (await until(() => log[0])).payload.submitted
      const { default: supertest } = await import('supertest')
      const viaB = () => supertest(b.server)
      const res = await takeAndSubmit(viaB, await t.login('dy0003'), exam.id)
      expect(res.status).toBe(200)
      const seen = await until(() => log.find((e) => e.payload.submitted === current + 1), 3000)
      expect(seen).toBeDefined()
    } finally {
      await a.close()
      await b.close()
    }
  })
})
