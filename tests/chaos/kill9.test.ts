// kill -9 the server while takers autosave; restart: every acknowledged answer is there, every
// attempt resumes with the same paper, and attempts that ran out meanwhile are submitted.
import { afterAll, describe, expect, it } from 'vitest'
import { stop } from '../helpers/process.js'
import {
  ADMIN_PASSWORD,
  autosaveLoad,
  chaosDatabase,
  Client,
  examBody,
  lostAnswers,
  pool,
  startServer,
  TAKERS,
  TAKER_PASSWORD,
  type ChaosDb,
} from './setup.js'
import type { Started } from '../helpers/process.js'

let db: ChaosDb
const servers: Started[] = []
afterAll(async () => {
  for (const s of servers) await stop(s, 'SIGKILL')
  await db?.drop()
})

describe('kill -9 under autosave load', () => {
  it('loses no acknowledged answer and resumes every attempt', async () => {
    db = await chaosDatabase(TAKERS)
    let server = await startServer(db.url)
    servers.push(server)
    const base = `http://127.0.0.1:${server.port}`
    const admin = await new Client(base).login('admin', ADMIN_PASSWORD)
    const branch = (await admin.call('GET', '/api/orgs')).body.find((o: any) => o.name === '混沌支部')
    const exam = (await admin.call('POST', '/api/exams', examBody([branch.id], { closesInMs: 3_600_000 }))).body
    // A second exam whose window closes while the server is down.
    const shortExam = (await admin.call('POST', '/api/exams', examBody([branch.id], { closesInMs: 12_000, title: '即将结束' }))).body

    const takers = await pool(
      Array.from({ length: TAKERS }, (_, i) => i),
      16,
      (i) => new Client(base).login(`t${i}`, TAKER_PASSWORD),
    )
    const papers = await pool(takers, 16, async (c) => (await c.call('POST', `/api/exams/${exam.id}/attempts`, {})).body)
    const shortAttempts = await pool(
      takers.slice(0, 20),
      10,
      async (c) => (await c.call('POST', `/api/exams/${shortExam.id}/attempts`, {})).body.attemptId,
    )

    const load = autosaveLoad(takers, papers)
    await new Promise((r) => setTimeout(r, 2500))
    server.child.kill('SIGKILL')
    await server.exited
    await load.stop()
    expect(load.counts.acked).toBeGreaterThan(TAKERS)

    await new Promise((r) => setTimeout(r, Math.max(0, new Date(shortExam.closesAt).getTime() - Date.now() + 500)))
    server = await startServer(db.url)
    servers.push(server)

    // Every acknowledged answer is in the database (or a later one that was sent after it).
    expect(await lostAnswers(db, load.sent)).toEqual([])

    // Every attempt resumes with the same paper.
    const newBase = `http://127.0.0.1:${server.port}`
    const resumed = await pool(takers, 16, async (c) => {
      const again = new Client(newBase)
      again.token = c.token
      return (await again.call('POST', `/api/exams/${exam.id}/attempts`, {})).body
    })
    resumed.forEach((r, i) => {
      expect(r.attemptId).toBe(papers[i].attemptId)
      expect(r.questions.map((q: any) => q.id)).toEqual(papers[i].questions.map((q: any) => q.id))
    })

    // The sweeper submitted the attempts whose window closed while the server was down.
    const deadline = Date.now() + 15_000
    let open = -1
    while (Date.now() < deadline) {
      open = (
        await db.handle.db
          .selectFrom('attempts')
          .select('id')
          .where('id', 'in', shortAttempts)
          .where('status', '=', 'in_progress')
          .execute()
      ).length
      if (open === 0) break
      await new Promise((r) => setTimeout(r, 250))
    }
    expect(open).toBe(0)
    const swept = await db.handle.db.selectFrom('attempts').select(['submitted_by']).where('id', 'in', shortAttempts).execute()
    expect(new Set(swept.map((s) => s.submitted_by))).toEqual(new Set(['deadline']))
  })
})
