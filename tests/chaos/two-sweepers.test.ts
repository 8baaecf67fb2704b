// Two server processes sweep overdue attempts at once: each attempt is submitted exactly once.
import { afterAll, describe, expect, it } from 'vitest'
import { stop, type Started } from '../helpers/process.js'
import { ADMIN_PASSWORD, chaosDatabase, Client, examBody, pool, startServer, TAKERS, TAKER_PASSWORD, type ChaosDb } from './setup.js'

let db: ChaosDb
const servers: Started[] = []
afterAll(async () => {
  for (const s of servers) await stop(s, 'SIGKILL')
  await db?.drop()
})

/** Sums the `submitted` counts the sweeper logs ("overdue attempts submitted"). */
function sweptBy(p: Started): number {
  return p
    .output()
    .split('\n')
    .filter((l) => l.includes('overdue attempts submitted'))
    .reduce((s, l) => s + (JSON.parse(l).submitted as number), 0)
}

describe('two sweepers', () => {
  it('submit each overdue attempt once between them', async () => {
    db = await chaosDatabase(TAKERS)
    const a = await startServer(db.url)
    const b = await startServer(db.url)
    servers.push(a, b)
    const admin = await new Client(`http://127.0.0.1:${a.port}`).login('admin', ADMIN_PASSWORD)
    const branch = (await admin.call('GET', '/api/orgs')).body.find((o: any) => o.name === '混沌支部')
    // The window is open long enough for any machine to start every taker (a busy one once took
    // longer than a short window, and the test failed on speed); the deadline is moved afterwards.
    const exam = (await admin.call('POST', '/api/exams', examBody([branch.id], { closesInMs: 30 * 60_000, questions: 3 }))).body
    // Takers start on either node; nobody submits.
    const attempts = await pool(
      Array.from({ length: TAKERS }, (_, i) => i),
      16,
      async (i) => {
        const c = await new Client(`http://127.0.0.1:${(i % 2 ? b : a).port}`).login(`t${i}`, TAKER_PASSWORD)
        const start = await c.call('POST', `/api/exams/${exam.id}/attempts`, {})
        expect(start.status, JSON.stringify(start.body)).toBeLessThan(300)
        await c.call('PUT', `/api/attempts/${start.body.attemptId}/answers/${start.body.questions[0].id}`, { answer: true })
        return start.body.attemptId as number
      },
    )
    expect(attempts).toHaveLength(TAKERS)
    // Everyone has started: now the exam closes, and every attempt is overdue for both sweepers at once.
    const past = new Date(Date.now() - 1_000)
    await db.handle.db.updateTable('exams').set({ closes_at: past }).where('id', '=', exam.id).execute()
    await db.handle.db.updateTable('attempts').set({ deadline: past }).where('exam_id', '=', exam.id).execute()
    const wait = Date.now() + 30_000
    let open = attempts.length
    while (open > 0 && Date.now() < wait) {
      await new Promise((r) => setTimeout(r, 500))
      open = (
        await db.handle.db.selectFrom('attempts').select('id').where('exam_id', '=', exam.id).where('status', '=', 'in_progress').execute()
      ).length
    }
    expect(open).toBe(0)
    await new Promise((r) => setTimeout(r, 500))
    expect(sweptBy(a) + sweptBy(b)).toBe(attempts.length)
    const rows = await db.handle.db.selectFrom('attempts').select(['submitted_by', 'score']).where('exam_id', '=', exam.id).execute()
    expect(rows.every((r) => r.submitted_by === 'deadline' && r.score !== null)).toBe(true)
  })
})
