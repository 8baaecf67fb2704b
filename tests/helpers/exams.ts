// An exam that is open now, as most API tests need one: made through the API by an admin, with the
// plain settings below unless the test says otherwise (title and audience are always the test's).
import { expect } from 'vitest'
import { bearer, type TestContext } from './app.js'

export interface OpenExamFields extends Record<string, unknown> {
  title: string
  audienceOrgIds: number[]
}

/** Opened a minute ago, closing in an hour: one judge question of 100 points, no shuffling, results at once. */
export async function createOpenExam(t: TestContext, adminToken: string, fields: OpenExamFields) {
  const now = Date.now()
  const res = await t
    .http()
    .post('/api/exams')
    .set(bearer(adminToken))
    .send({
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 3_600_000).toISOString(),
      durationMinutes: 30,
      passScore: 50,
      maxAttempts: 1,
      shuffleQuestions: false,
      shuffleOptions: false,
      releaseResults: 'immediately',
      paper: { rules: [{ type: 'judge', count: 1, scoreEach: 100 }] },
      ...fields,
    })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}
