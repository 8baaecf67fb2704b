// Autosave over the exam page's socket (`attempt:save`) keeps every rule of the HTTP route: acked
// only once committed, only into one's own open attempt, the answer's shape checked against the
// paper, the one-device rule, refusals answered with the route's status so the page treats both
// alike. And the attacks: someone else's attempt, ids and shapes that are no answer, a flood past
// the autosave bucket (refused without a status; the socket stays, its other events untouched).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { connect, watchExam, type ClientSocket } from './helpers/sockets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { SOCKET_LIMITS } from '../server/realtime/flood-guard.js'
import { TEST_DATABASE_URL } from './helpers/template-db.js'
import { lockRow } from './helpers/locks.js'

interface Taker {
  token: string
  attemptId: number
  questions: { id: number; type: string; options: { key: string }[] | null }[]
  socket: ClientSocket
}

let t: TestContext
let examId: number
let admin: string
let orgId: number
const takers: Record<string, Taker> = {}

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  admin = await t.login(DEMO_ADMIN.username)
  const orgs: { id: number; name: string }[] = (await t.http().get('/api/orgs').set(bearer(admin))).body
  const exam = await createOpenExam(t, admin, {
    title: '连接内自动保存',
    audienceOrgIds: [(orgId = orgs.find((o) => o.name === '省工业和信息化厅')!.id)],
    paper: {
      rules: [
        { type: 'judge', count: 2, scoreEach: 20 },
        { type: 'single', count: 3, scoreEach: 20 },
      ],
    },
  })
  examId = exam.id
  for (const username of ['dy0001', 'dy0002', 'dy0003', 'dy0004']) {
    const token = await t.login(username)
    const res = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(token)).send({})
    expect(res.status).toBe(200)
    takers[username] = { token, attemptId: res.body.attemptId, questions: res.body.questions, socket: await connect(t.baseUrl, token) }
  }
})
afterAll(async () => {
  for (const taker of Object.values(takers)) taker.socket.close()
  await t?.close()
})

const save = (socket: ClientSocket, payload: { attemptId: unknown; questionId: unknown; answer?: unknown; deviceId?: unknown }) =>
  socket.timeout(5000).emitWithAck('attempt:save', payload as never)

async function storedAnswers(attemptId: number) {
  const rows = await t.db.selectFrom('attempt_answers').select(['question_id', 'answer']).where('attempt_id', '=', attemptId).execute()
  return Object.fromEntries(rows.map((r) => [r.question_id, r.answer]))
}

describe('autosave over the socket', () => {
  it('acknowledges an answer only once it is in the database, and the resumed paper shows it', async () => {
    const a = takers.dy0001
    const judge = a.questions.find((q) => q.type === 'judge')!
    const single = a.questions.find((q) => q.type === 'single')!
    const first = await save(a.socket, { attemptId: a.attemptId, questionId: judge.id, answer: true })
    expect(first).toMatchObject({ ok: true })
    expect(Date.parse((first as { savedAt: string }).savedAt)).not.toBeNaN()
    // The ack came after the commit: the row is there when we look, with no waiting.
    expect(await storedAnswers(a.attemptId)).toEqual({ [judge.id]: true })
    expect(await save(a.socket, { attemptId: a.attemptId, questionId: single.id, answer: single.options![1].key })).toMatchObject({
      ok: true,
    })
    expect(await save(a.socket, { attemptId: a.attemptId, questionId: judge.id, answer: false })).toMatchObject({ ok: true })
    const resumed = await t.http().post(`/api/exams/${examId}/attempts`).set(bearer(a.token)).send({})
    expect(resumed.body.answers).toEqual({ [judge.id]: false, [single.id]: single.options![1].key })
  })

  it("refuses a save into someone else's attempt as the route does (404), writing nothing", async () => {
    const owner = takers.dy0002
    const intruder = takers.dy0003
    const reply = await save(intruder.socket, { attemptId: owner.attemptId, questionId: owner.questions[0].id, answer: true })
    expect(reply).toEqual({ ok: false, status: 404, code: 'NOT_FOUND', error: '答卷不存在' })
    expect(await storedAnswers(owner.attemptId)).toEqual({})
  })

  it('refuses ids and answers that are not an answer to this paper with 400 naming the field', async () => {
    const a = takers.dy0002
    const single = a.questions.find((q) => q.type === 'single')!
    for (const [bad, field] of [
      [{ attemptId: 'x', questionId: single.id, answer: 'A' }, 'attemptId'],
      [{ attemptId: a.attemptId, questionId: -1, answer: 'A' }, 'questionId'],
      [{ attemptId: a.attemptId, questionId: 2 ** 40, answer: 'A' }, 'questionId'],
      [{ attemptId: a.attemptId, questionId: single.id }, 'answer'],
      [{ attemptId: a.attemptId, questionId: single.id, answer: 'A', deviceId: 7 }, 'deviceId'],
    ] as const) {
      expect(await save(a.socket, bad)).toEqual({ ok: false, status: 400, code: 'VALIDATION', error: `${field} 无效` })
    }
    const wrongShape = await save(a.socket, { attemptId: a.attemptId, questionId: single.id, answer: ['A', 'B'] })
    expect(wrongShape).toMatchObject({ ok: false, status: 400, code: 'VALIDATION' })
    expect((wrongShape as { error: string }).error).toMatch(/^answer：/)
    const notOnPaper = await save(a.socket, { attemptId: a.attemptId, questionId: 2147483647, answer: true })
    expect(notOnPaper).toMatchObject({ ok: false, status: 404 })
    expect(await storedAnswers(a.attemptId)).toEqual({})
    // A payload that is no object at all is refused the same way, and the socket stays usable.
    expect(await a.socket.timeout(5000).emitWithAck('attempt:save', null as never)).toEqual({
      ok: false,
      status: 400,
      code: 'VALIDATION',
      error: 'payload 无效',
    })
    expect(a.socket.connected).toBe(true)
  })

  it('refuses saves after submit with 409, as the route does', async () => {
    const a = takers.dy0002
    const submitted = await t.http().post(`/api/attempts/${a.attemptId}/submit`).set(bearer(a.token)).send()
    expect(submitted.status).toBe(200)
    const reply = await save(a.socket, { attemptId: a.attemptId, questionId: a.questions[0].id, answer: true })
    expect(reply).toMatchObject({ ok: false, status: 409, code: 'CONFLICT' })
    expect(await storedAnswers(a.attemptId)).toEqual({})
  })

  it('spends a flood from its own bucket: refused past the burst without a status, other events still served', async () => {
    const a = takers.dy0003
    const judge = a.questions.find((q) => q.type === 'judge')!
    // A socket of its own, so its bucket is full: dy0003's socket spent a save in an earlier test, and
    // when that test ended within 50 ms the bucket had not refilled (199 passed the burst of 200).
    const socket = await connect(t.baseUrl, a.token)
    // Closed however the test ends (a failed assertion would otherwise leave it open until the app closes).
    try {
      const sent = SOCKET_LIMITS.saves.burst + 30
      const replies = await Promise.all(
        Array.from({ length: sent }, (_, i) => save(socket, { attemptId: a.attemptId, questionId: judge.id, answer: i % 2 === 0 })),
      )
      const refused = replies.filter((r) => !r.ok)
      // Refused saves go over HTTP on the page: they do not get an honest socket disconnected.
      expect(socket.connected).toBe(true)
      // The bucket refills at its rate while the flood is sent, so a few more than the burst may pass.
      expect(replies.length - refused.length).toBeGreaterThanOrEqual(SOCKET_LIMITS.saves.burst)
      expect(refused.length).toBeGreaterThan(0)
      for (const r of refused) expect(r).toEqual({ ok: false, error: '请求过于频繁，请稍后再试' })
      // The last save acknowledged is the one stored: saves of one socket are written in order.
      const lastOk = replies.map((r, i) => (r.ok ? i : -1)).reduce((m, i) => Math.max(m, i))
      expect(await storedAnswers(a.attemptId)).toEqual({ [judge.id]: lastOk % 2 === 0 })
      // Watching a board spends from the general bucket, which the flood did not touch.
      expect(await watchExam(socket, examId)).toEqual({ ok: true })
    } finally {
      socket.close()
    }
  })
  it('passes the device on: a one-device exam refuses the device it moved away from (409 DEVICE_SWITCHED)', async () => {
    const exam = await createOpenExam(t, admin, { title: '单设备连接保存', audienceOrgIds: [orgId], oneDevice: true })
    const a = takers.dy0001
    const first = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(a.token)).send({ deviceId: 'phone-A' })
    const question = first.body.questions[0].id
    const attemptId = first.body.attemptId
    expect(await save(a.socket, { attemptId, questionId: question, answer: true, deviceId: 'phone-A' })).toMatchObject({ ok: true })
    // She goes on at a PC: the phone's saves are refused from now on, the PC's taken.
    expect((await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(a.token)).send({ deviceId: 'pc-B' })).status).toBe(200)
    expect(await save(a.socket, { attemptId, questionId: question, answer: false, deviceId: 'phone-A' })).toMatchObject({
      ok: false,
      status: 409,
      code: 'DEVICE_SWITCHED',
    })
    expect(await storedAnswers(attemptId)).toEqual({ [question]: true })
    expect(await save(a.socket, { attemptId, questionId: question, answer: false, deviceId: 'pc-B' })).toMatchObject({ ok: true })
    expect(await storedAnswers(attemptId)).toEqual({ [question]: false })
  })

  // PGlite has one connection: a second transaction holding the row cannot be made beside the save.
  it.runIf(TEST_DATABASE_URL)('sends the ack only after the commit: none while the attempt row is held', async () => {
    const a = takers.dy0004
    const question = a.questions[0].id
    const held = await lockRow(t.db, 'attempts', a.attemptId)
    let acked = false
    const reply = save(a.socket, { attemptId: a.attemptId, questionId: question, answer: true }).finally(() => (acked = true))
    await new Promise((r) => setTimeout(r, 500))
    expect(acked).toBe(false)
    await held.release()
    expect(await reply).toMatchObject({ ok: true })
    expect(await storedAnswers(a.attemptId)).toEqual({ [question]: true })
  })
})
