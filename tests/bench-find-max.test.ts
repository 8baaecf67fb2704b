// The bench's autosave maximum over sockets (tests/bench/find-max.ts) measures what it says: its
// client processes save into each taker's own open attempt at the pace a socket is allowed, every
// acknowledged save is in the database, and a refused save is counted as an error that ends the
// search instead of passing for throughput (here: a socket saving into someone else's attempt).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { findMaxOverSockets } from './bench/find-max.js'
import { PER_SOCKET, type OpenAttempt } from './bench/socket-max.js'

let t: TestContext
const attempts: OpenAttempt[] = []
const baselines = { upsert: 100, batched: 400 }
const quiet = () => {}

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  const admin = await t.login(DEMO_ADMIN.username)
  const orgs: { id: number; name: string }[] = (await t.http().get('/api/orgs').set(bearer(admin))).body
  const exam = await createOpenExam(t, admin, {
    title: '饱和测试（测量自检）',
    audienceOrgIds: [orgs.find((o) => o.name === '省工业和信息化厅')!.id],
    paper: { rules: [{ type: 'judge', count: 3, scoreEach: 20 }] },
  })
  for (const username of ['dy0001', 'dy0002', 'dy0003', 'dy0004']) {
    const token = await t.login(username)
    const res = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(token)).send({})
    expect(res.status).toBe(200)
    attempts.push({ id: res.body.attemptId, token, q: res.body.questions.map((q: { id: number }) => q.id) })
  }
})
afterAll(async () => {
  await t?.close()
})

describe('bench: the autosave maximum over sockets', () => {
  it('saves into each taker’s own attempt at the allowed pace, and every acknowledged save is stored', async () => {
    // Short steps, and a p99 limit no loaded machine reaches: this checks what the search counts and
    // stores, and a busy CI box must not end the search on speed (it did, at p99 > 100 ms).
    const result = await findMaxOverSockets(t.baseUrl, attempts, 2, baselines, quiet, { stepSeconds: 2, p99LimitMs: 60_000 })

    expect(result.steps).toHaveLength(1) // four sockets: one step, all of them
    const [step] = result.steps
    expect(step).toMatchObject({ connections: 4, errors: 0 })
    // Paced, not flooding: four sockets at most PER_SOCKET a second each, and not far below it.
    expect(step.rps).toBeLessThanOrEqual(4 * PER_SOCKET * 1.1)
    expect(step.rps).toBeGreaterThan(4 * PER_SOCKET * 0.5)
    expect(step.p99).toBeGreaterThan(0)
    // No step passed the limit: the figure is the load offered, reported as a floor.
    expect(result).toMatchObject({ saturated: false, sustained: step.rps, ratioToUpsert: Math.round((step.rps / 100) * 100) / 100 })

    const stored = await t.db
      .selectFrom('attempt_answers')
      .select(['attempt_id', 'question_id', 'answer'])
      .where(
        'attempt_id',
        'in',
        attempts.map((a) => a.id),
      )
      .execute()
    // Each socket cycles through its attempt's three questions, so after a couple of seconds every
    // answer of every attempt has been written, as true or false.
    expect(stored).toHaveLength(4 * 3)
    for (const row of stored) expect(typeof row.answer).toBe('boolean')
  })

  it('counts a refused save as an error and stops there (a socket saving into someone else’s attempt)', async () => {
    // dy0002's token with dy0001's attempt: the server answers 404, nothing is written.
    const hostile = [{ ...attempts[0], token: attempts[1].token }, ...attempts.slice(2)]
    const before = await t.db
      .selectFrom('attempt_answers')
      .select(['question_id', 'answer'])
      .where('attempt_id', '=', attempts[0].id)
      .execute()
    const result = await findMaxOverSockets(t.baseUrl, hostile, 1, baselines, quiet, { stepSeconds: 1, p99LimitMs: 60_000 })

    expect(result.steps).toHaveLength(1)
    expect(result.steps[0].errors).toBeGreaterThan(0)
    expect(result).toMatchObject({ saturated: true, sustained: 0 })
    const after = await t.db
      .selectFrom('attempt_answers')
      .select(['question_id', 'answer'])
      .where('attempt_id', '=', attempts[0].id)
      .execute()
    expect(after).toEqual(before)
  })
})
