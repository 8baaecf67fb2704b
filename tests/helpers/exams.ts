// An exam that is open now, as most API tests need one: made through the API by an admin, with
// openExamBody's plain settings unless the test says otherwise (title and audience are always the test's).
import { expect } from 'vitest'
import { bearer, type TestContext } from './app.js'
import { openExamBody, type OpenExamFields } from './exam-body.js'

/** See openExamBody for the settings a test does not name. */
export async function createOpenExam(t: TestContext, adminToken: string, fields: OpenExamFields) {
  const res = await t.http().post('/api/exams').set(bearer(adminToken)).send(openExamBody(fields))
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}
