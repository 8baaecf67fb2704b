// Attack: answer the paper again with the key its review showed. When results are released at
// once, a person with no attempt left sees her attempt's 正确答案 and 解析. A secretary who then
// reopened that attempt ("误触交卷") or granted an extra attempt let her answer the same fixed paper
// from the key: 100/100. Once any review of an exam has shown her the key, neither is allowed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
let secretary: string
let orgs: any[]
const org = (name: string) => orgs.find((o) => o.name === name)

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  secretary = await t.login('sj_bgs')
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
})
afterAll(async () => {
  await t?.close()
})

/** Two published judge questions of the bank, as a fixed paper (the same questions on every attempt). */
async function fixedJudgePaper() {
  const rows = await t.db
    .selectFrom('questions')
    .select('id')
    .where('status', '=', 'published')
    .where('type', '=', 'judge')
    .orderBy('id', 'desc')
    .limit(2)
    .execute()
  return { questionIds: rows.map((r) => r.id), scoreEach: 50 }
}

/** One attempt allowed, results released at once: the exam a review shows the key of. */
const oneAttemptExam = async (title: string) =>
  createOpenExam(t, admin, { title, audienceOrgIds: [org('办公室党支部').id], maxAttempts: 1, paper: await fixedJudgePaper() })

/** Sits the exam once with nothing answered (0 points), then reads the released review with its key. */
async function submitEmptyAndReadKey(member: string, examId: number) {
  const started = (await t.http().post(`/api/exams/${examId}/attempts`).set(bearer(member)).send({})).body
  const result = await t.http().post(`/api/attempts/${started.attemptId}/submit`).set(bearer(member))
  expect(result.body.score).toBe(0)
  const review = (await t.http().get(`/api/attempts/${started.attemptId}`).set(bearer(member))).body
  // No attempt left and results released at once: the key is shown (as designed).
  expect(review.reviewAvailable).toBe(true)
  const key = new Map<number, unknown>(review.questions.map((q: any) => [q.id, q.correctAnswer]))
  expect(key.size).toBe(2)
  return { attemptId: started.attemptId as number, key }
}

/** Answers an open attempt from the key and submits it: the score it would get. */
async function answerFromKey(member: string, attemptId: number, key: Map<number, unknown>) {
  for (const [questionId, answer] of key)
    await t.http().put(`/api/attempts/${attemptId}/answers/${questionId}`).set(bearer(member)).send({ answer }).expect(200)
  return (await t.http().post(`/api/attempts/${attemptId}/submit`).set(bearer(member))).body.score
}

describe('a second go after the key was shown', () => {
  it('a reopened attempt cannot be corrected with the key its review already showed', async () => {
    const exam = await oneAttemptExam('复核后重开')
    const member = await t.login('dy0010')
    const { attemptId, key } = await submitEmptyAndReadKey(member, exam.id)
    // "误触交卷" — the secretary reopens it, not knowing the member has read the key.
    const reopen = await t.http().post(`/api/attempts/${attemptId}/reopen`).set(bearer(secretary)).send({ reason: '误触交卷' })
    if (reopen.status === 200) expect(await answerFromKey(member, attemptId, key), 'the reopened attempt was answered from the key').toBe(0)
    expect(reopen.status).toBe(409)
    expect(reopen.body.error.message).toMatch(/已查看过本场考试的答案/)
    // Still submitted, with its score; the review stays as it was.
    const view = (await t.http().get(`/api/attempts/${attemptId}`).set(bearer(member))).body
    expect(view.status).toBe('submitted')
    expect(view.reviewAvailable).toBe(true)
  })

  it('an extra attempt is not granted after the key was shown (the same paper, answered from it)', async () => {
    const exam = await oneAttemptExam('复核后补考')
    const member = await t.login('dy0011')
    const me = (await t.http().get('/api/me').set(bearer(member))).body
    const { key } = await submitEmptyAndReadKey(member, exam.id)
    const grant = await t
      .http()
      .post(`/api/exams/${exam.id}/allowances`)
      .set(bearer(secretary))
      .send({ userId: me.id, extraAttempts: 1, reason: '补考' })
    if (grant.status === 200) {
      const second = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).body
      expect(await answerFromKey(member, second.attemptId, key), 'the retake was answered from the first review').toBe(0)
    }
    expect(grant.status).toBe(409)
    expect(grant.body.error.message).toMatch(/不能再增加作答次数/)
    // Nothing was granted: a start is still refused.
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    expect(start.status).toBe(409)
    // Extra minutes give no second go, and are still granted.
    const minutes = await t
      .http()
      .post(`/api/exams/${exam.id}/allowances`)
      .set(bearer(secretary))
      .send({ userId: me.id, extraMinutes: 10, reason: '延时' })
    expect(minutes.status).toBe(200)
  })

  it('the results list says whose review has shown the key, so the console offers neither to her', async () => {
    const exam = await oneAttemptExam('名单标出已看答案')
    const [reader, other] = [await t.login('dy0008'), await t.login('dy0009')]
    const readerId = (await t.http().get('/api/me').set(bearer(reader))).body.id as number
    const otherId = (await t.http().get('/api/me').set(bearer(other))).body.id as number
    const submitEmpty = async (member: string) => {
      const started = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).body
      await t.http().post(`/api/attempts/${started.attemptId}/submit`).set(bearer(member)).expect(200)
      return started.attemptId as number
    }
    const readerAttempt = await submitEmpty(reader)
    await submitEmpty(other)
    const keyShownOf = async () => {
      const rows = (await t.http().get(`/api/exams/${exam.id}/results`).set(bearer(secretary)).expect(200)).body
      return new Map<number, unknown>(rows.map((r: any) => [r.userId, r.keyShown]))
    }
    // Both have their results released (no attempt left, released at once); neither has opened the review.
    const before = await keyShownOf()
    expect([before.get(readerId), before.get(otherId)]).toEqual([false, false])
    const review = (await t.http().get(`/api/attempts/${readerAttempt}`).set(bearer(reader))).body
    expect(review.reviewAvailable).toBe(true)
    const after = await keyShownOf()
    expect([after.get(readerId), after.get(otherId)]).toEqual([true, false])
    // Those who have not started are listed too, with nothing shown.
    expect([...after.values()].filter((shown) => shown === true)).toHaveLength(1)
    expect([...after.values()].every((shown) => typeof shown === 'boolean')).toBe(true)
    // What the flag says is what the server does: the extra attempt is refused for her alone.
    const grant = (userId: number) =>
      t.http().post(`/api/exams/${exam.id}/allowances`).set(bearer(secretary)).send({ userId, extraAttempts: 1, reason: '补考' })
    expect((await grant(readerId)).status).toBe(409)
    expect((await grant(otherId)).status).toBe(200)
  })

  it('the key shown before she moved here counts too, though her row here says 未开始', async () => {
    const exam = await createOpenExam(t, admin, {
      title: '调入前已看答案',
      audienceOrgIds: [org('办公室党支部').id, org('政策法规处党支部').id],
      maxAttempts: 1,
      paper: await fixedJudgePaper(),
    })
    const { id: memberId, username } = await t.db
      .selectFrom('users')
      .innerJoin('orgs', 'orgs.id', 'users.org_id')
      .select(['users.id', 'users.username'])
      .where('orgs.name', '=', '政策法规处党支部')
      .where('users.role', '=', 'member')
      .orderBy('users.id', 'desc')
      .executeTakeFirstOrThrow()
    const member = await t.login(username)
    await submitEmptyAndReadKey(member, exam.id)
    // She moves to 办公室党支部: her attempt stays with the unit she sat it in, outside sj_bgs's scope.
    await t
      .http()
      .patch(`/api/users/${memberId}`)
      .set(bearer(admin))
      .send({ orgId: org('办公室党支部').id })
      .expect(200)
    const rows = (await t.http().get(`/api/exams/${exam.id}/results`).set(bearer(secretary)).expect(200)).body
    const row = rows.find((r: any) => r.userId === memberId)
    expect(row).toMatchObject({ status: 'not_started', keyShown: true })
    // The flag agrees with the server: no extra attempt for her.
    const grant = await t
      .http()
      .post(`/api/exams/${exam.id}/allowances`)
      .set(bearer(secretary))
      .send({ userId: memberId, extraAttempts: 1, reason: '补考' })
    expect(grant.status).toBe(409)
  })

  // A guard, not an attack: passes on the code before the fix too.
  it('a review released but not opened yet stops nothing: the extra attempt then takes the review back', async () => {
    const exam = await oneAttemptExam('未看复核可补考')
    const member = await t.login('dy0012')
    const me = (await t.http().get('/api/me').set(bearer(member))).body
    const started = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).body
    await t.http().post(`/api/attempts/${started.attemptId}/submit`).set(bearer(member)).expect(200)
    await t
      .http()
      .post(`/api/exams/${exam.id}/allowances`)
      .set(bearer(secretary))
      .send({ userId: me.id, extraAttempts: 1, reason: '补考' })
      .expect(200)
    // With an attempt left the review holds its key back, and records nothing.
    const view = (await t.http().get(`/api/attempts/${started.attemptId}`).set(bearer(member))).body
    expect(view.reviewAvailable).toBe(false)
    expect(view).not.toHaveProperty('questions')
    // So the key was never shown: another attempt is still granted.
    await t
      .http()
      .post(`/api/exams/${exam.id}/allowances`)
      .set(bearer(secretary))
      .send({ userId: me.id, extraAttempts: 1, reason: '再补考' })
      .expect(200)
  })
})
