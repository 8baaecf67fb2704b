// At the default log level every request writes its lines, except the routes a page calls by itself
// every few seconds: on exam day autosave alone would write thousands of lines a second per node.
// Against the real entry point in a child process, reading what it prints.
import { afterAll, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startMain, stop, waitFor, type Started } from './helpers/process.js'
import { callApi, tokenFor } from './helpers/browser.js'

let server: Started | undefined
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-logging-'))
afterAll(async () => {
  if (server) await stop(server, 'SIGKILL')
  fs.rmSync(dataDir, { recursive: true, force: true })
})

it('logs requests at info, but not autosaves', async () => {
  server = await startMain({ DATA_DIR: dataDir, DATABASE_URL: undefined, LOG_LEVEL: 'info' })
  await waitFor(server, /已启动/, 90_000)
  // The API as a script calls it (tests/helpers/browser.ts), against the child process.
  const target = { baseUrl: `http://127.0.0.1:${server.port}` }
  const call = (method: string, url: string, token: string | null, body?: unknown) => callApi(target, method, url, token, body)
  const login = (username: string, password: string) => tokenFor(target, username, password)
  const admin = await login('admin', 'Admin@2026')
  const orgs = (await call('GET', '/api/orgs', admin)).body as { id: number; parentId: number | null }[]
  const exam = await call('POST', '/api/exams', admin, {
    title: '日志测试',
    opensAt: new Date(Date.now() - 60_000).toISOString(),
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 30,
    audienceOrgIds: orgs.filter((o) => o.parentId === null).map((o) => o.id),
    passScore: 50,
    maxAttempts: 1,
    shuffleQuestions: false,
    shuffleOptions: false,
    releaseResults: 'immediately',
    paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
  })
  expect(exam.status, JSON.stringify(exam.body)).toBe(201)
  const member = await login('dy0001', 'Demo@2026')
  const start = await call('POST', `/api/exams/${exam.body.id}/attempts`, member, {})
  expect(start.status).toBe(200)
  for (const q of start.body.questions) {
    expect((await call('PUT', `/api/attempts/${start.body.attemptId}/answers/${q.id}`, member, { answer: true })).status).toBe(200)
  }
  const submit = await call('POST', `/api/attempts/${start.body.attemptId}/submit`, member)
  expect(submit.status).toBe(200)

  // The submit's lines come after the saves': once it is logged as completed, theirs would be out too.
  await waitFor(server, /"url":"\/api\/attempts\/\d+\/submit"/)
  const submitId = /"reqId":"([^"]+)","req":\{"method":"POST","url":"\/api\/attempts\/\d+\/submit"/.exec(server.output())![1]
  await waitFor(server, new RegExp(`"reqId":"${submitId}","res":.*"request completed"`))
  const lines = server.output().split('\n')
  expect(lines.some((l) => l.includes(`/api/exams/${exam.body.id}/attempts`))).toBe(true)
  expect(lines.filter((l) => l.includes('/answers/'))).toEqual([])
}, 150_000)
