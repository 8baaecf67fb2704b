// The demo's exam (server/seed/demo-exam.ts): on the embedded database's first start, a
// department-wide 党史 test that most colleagues sat earlier that morning, so a new user can sit it
// as dy0001 and watch it as a secretary. What it seeds must be what the app itself would have
// recorded: attempts started, saved and submitted through the services, graded by them, counted in
// the live figures, each at its own time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { DEMO_EXAM_TITLE, seedDemoExam, type DemoExamOutcome } from '../server/seed/demo-exam.js'

let t: TestContext
let seeded: DemoExamOutcome
const firstStart = new Date()

beforeAll(async () => {
  t = await createTestContext()
  seeded = await seedDemoExam(t.db, firstStart)
})
afterAll(async () => {
  await t?.close()
})

describe('the demo exam', () => {
  it('is open to the whole department, and dy0001 has it still to sit', async () => {
    const token = await t.login('dy0001')
    const list = await t.http().get('/api/exams').set(bearer(token))
    expect(list.status).toBe(200)
    const exam = list.body.find((e: { title: string }) => e.title === DEMO_EXAM_TITLE)
    expect(exam).toMatchObject({ id: seeded.examId })

    const start = await t.http().post(`/api/exams/${seeded.examId}/attempts`).set(bearer(token)).send({})
    expect(start.status).toBe(200)
    expect(start.body.questions).toHaveLength(25)
    // No key reaches the taker.
    for (const q of start.body.questions) expect(q).not.toHaveProperty('answer')
  })

  it('was sat by most colleagues: the live figures count what the services recorded', async () => {
    const admin = await t.login(DEMO_ADMIN.username)
    const monitor = await t.http().get(`/api/exams/${seeded.examId}/monitor`).set(bearer(admin))
    expect(monitor.status).toBe(200)
    const rows = await t.db
      .selectFrom('attempts')
      .select(['status', 'score', 'started_at', 'submitted_at', 'submitted_by'])
      .where('exam_id', '=', seeded.examId)
      .execute()
    const submitted = rows.filter((r) => r.status === 'submitted')
    expect(submitted).toHaveLength(seeded.submitted)
    expect(seeded.submitted).toBeGreaterThan(60)
    expect(seeded.inProgress).toBe(3)
    // dy0001 started in the test above.
    expect(monitor.body).toMatchObject({ submitted: seeded.submitted, started: seeded.submitted + seeded.inProgress + 1 })
    expect(monitor.body.byOrg.length).toBeGreaterThan(5)

    // Scores spread as people's do, most passing, none by the deadline sweeper.
    const scores = submitted.map((r) => Number(r.score))
    expect(new Set(scores).size).toBeGreaterThan(10)
    expect(scores.filter((s) => s >= 60).length).toBeGreaterThan(submitted.length / 2)
    expect(scores.some((s) => s < 60)).toBe(true)
    for (const r of submitted) {
      expect(r.submitted_by).toBe('user')
      const minutes = (new Date(r.submitted_at!).getTime() - new Date(r.started_at).getTime()) / 60_000
      expect(minutes).toBeGreaterThanOrEqual(8)
      expect(minutes).toBeLessThanOrEqual(25)
      expect(new Date(r.submitted_at!).getTime()).toBeLessThanOrEqual(firstStart.getTime())
    }
  })

  it('shows each secretary her own branch only', async () => {
    const token = await t.login('sj_bgs')
    const mine = await t.http().get(`/api/exams/${seeded.examId}/monitor`).set(bearer(token))
    expect(mine.status).toBe(200)
    expect(mine.body.byOrg.map((o: { name: string }) => o.name)).toEqual(['办公室党支部'])
    expect(mine.body.submitted).toBeGreaterThan(0)
    expect(mine.body.submitted).toBeLessThan(seeded.submitted)
  })

  it('has item analysis to show: every question answered, graded by the app', async () => {
    const admin = await t.login(DEMO_ADMIN.username)
    const analysis = await t.http().get(`/api/exams/${seeded.examId}/analysis`).set(bearer(admin))
    expect(analysis.status).toBe(200)
    const ungraded = await t.db
      .selectFrom('attempt_answers')
      .innerJoin('attempts', 'attempts.id', 'attempt_answers.attempt_id')
      .select('attempt_answers.question_id')
      .where('attempts.exam_id', '=', seeded.examId)
      .where('attempts.status', '=', 'submitted')
      .where('attempt_answers.correct', 'is', null)
      .execute()
    expect(ungraded).toHaveLength(0)
  })
})
