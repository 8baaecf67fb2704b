// A bank bigger than one statement's parameters: PostgreSQL (and PGlite) take at most 65,535 bound
// parameters in a statement. An exam whose rule draws from a category of 70,000 questions must still
// start, and practice and battles — which leave out every question of such an open exam — must
// still draw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

const CATEGORY = '规模测试/大题库'
const QUESTIONS = 70_000
let t: TestContext
let admin: string

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  await sql`
    insert into questions (type, stem, answer, category, status, fingerprint)
    select 'judge', '规模测试判断题第' || g || '题：这道题的说法正确。', 'true'::jsonb, ${CATEGORY}, 'published', 'scale-' || g
    from generate_series(1, ${QUESTIONS}) g`.execute(t.db)
}, 120_000)
afterAll(async () => {
  await t?.close()
})

describe(`an exam drawing from ${QUESTIONS.toLocaleString()} questions`, () => {
  it('starts, and practice still draws around its locked questions', async () => {
    const orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body as { id: number; name: string }[]
    const exam = await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({
        title: '大题库抽题',
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        durationMinutes: 30,
        audienceOrgIds: [orgs.find((o) => o.name === '办公室党支部')!.id],
        passScore: 60,
        maxAttempts: 1,
        shuffleQuestions: true,
        shuffleOptions: true,
        releaseResults: 'immediately',
        paper: { rules: [{ category: CATEGORY, type: 'judge', count: 5, scoreEach: 20 }] },
      })
    expect(exam.status).toBe(201)
    const member = await t.login('dy0001')
    const started = await t.http().post(`/api/exams/${exam.body.id}/attempts`).set(bearer(member)).send({})
    expect(started.status).toBe(200)
    expect(started.body.questions).toHaveLength(5)

    // Practice leaves out all 70,000 (the exam may still ask any of them) and draws from the rest.
    const quiz = await t.http().get('/api/study/quiz/random').set(bearer(member))
    expect(quiz.status).toBe(200)
    const ids = quiz.body.questions.map((q: { id: number }) => q.id)
    expect(ids.length).toBeGreaterThan(0)
    const drawn = await t.db.selectFrom('questions').select('category').where('id', 'in', ids).execute()
    expect(drawn.every((q) => q.category !== CATEGORY)).toBe(true)
  }, 120_000)
})
