// The body of `POST /api/exams` for an exam that is open now, shared by the API tests (over
// supertest) and the browser tests (over fetch): each test names only what it is about.

export interface OpenExamFields extends Record<string, unknown> {
  title: string
  audienceOrgIds: number[]
}

/**
 * Opened a minute ago, closing in an hour, 30 minutes to answer, one attempt, no shuffling, results
 * at once, pass mark 50 and one judge question of 100 points — unless `fields` says otherwise.
 */
export function openExamBody(fields: OpenExamFields, now = Date.now()) {
  return {
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
  }
}
