import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeIfUnchanged, gradeAttempt, readForSubmit } from '../server/modules/attempts/finalize.js'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { buildApp } from '../server/app.js'
import { sweepOverdue } from '../server/modules/attempts/index.js'
import type { Paper } from '../server/modules/questions/index.js'

const clock = new ManualClock(new Date('2026-04-29T01:00:00Z')) // 09:00 in Shanghai, exam day
let t: TestContext
let admin: string
let orgs: any[]
const org = (name: string) => orgs.find((o) => o.name === name)
const minutes = (n: number) => n * 60_000
const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString()

/** Every response body a member received while an exam was running, for the secrecy scan. */
const memberPayloads: unknown[] = []
const seen = <T extends { body: unknown }>(res: T) => {
  memberPayloads.push(res.body)
  return res
}

const RULES = [
  { category: '党史', type: 'single', count: 6, scoreEach: 5 },
  { category: '党史', type: 'multiple', count: 3, scoreEach: 10 },
  { type: 'judge', count: 4, scoreEach: 5 },
  { type: 'fill', count: 2, scoreEach: 10 },
]
const RULES_TOTAL = 6 * 5 + 3 * 10 + 4 * 5 + 2 * 10

beforeAll(async () => {
  t = await createTestContext({ clock })
  admin = await t.login(DEMO_ADMIN.username)
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
})
afterAll(async () => {
  await t?.close()
})

async function createExam(overrides: Record<string, unknown> = {}) {
  const res = await t
    .http()
    .post('/api/exams')
    .set(bearer(admin))
    .send({
      title: '党史知识集中测试',
      opensAt: at(-minutes(1)),
      closesAt: at(minutes(120)),
      durationMinutes: 30,
      audienceOrgIds: [org('厅机关党委').id],
      passScore: 60,
      maxAttempts: 1,
      shuffleQuestions: true,
      shuffleOptions: true,
      releaseResults: 'immediately',
      paper: { rules: RULES },
      ...overrides,
    })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body
}

async function paperOf(attemptId: number): Promise<Paper> {
  const row = await t.db.selectFrom('attempts').select('paper').where('id', '=', attemptId).executeTakeFirstOrThrow()
  return row.paper as Paper
}

/** The right answer in the shape a member sends it. */
function rightAnswer(q: Paper['questions'][number]): unknown {
  return q.type === 'fill' ? (q.answer as string[][]).map((alts) => alts[0]) : q.answer
}
function wrongAnswer(q: Paper['questions'][number]): unknown {
  if (q.type === 'judge') return !q.answer
  if (q.type === 'single') return q.options!.find((o) => o.key !== q.answer)!.key
  if (q.type === 'multiple') return [q.options!.find((o) => !(q.answer as string[]).includes(o.key))!.key]
  return (q.answer as string[][]).map(() => '不对')
}

describe('designing an exam', () => {
  it('creates an exam from rules with the right total', async () => {
    const exam = await createExam()
    expect(exam).toMatchObject({ maxScore: RULES_TOTAL, questionCount: 15, releaseResults: 'immediately', passScore: 60 })
  })

  it('refuses impossible designs with 4xx naming the field', async () => {
    const base = {
      title: 'x',
      opensAt: at(0),
      closesAt: at(minutes(60)),
      durationMinutes: 30,
      audienceOrgIds: [org('厅机关党委').id],
      passScore: 1,
      maxAttempts: 1,
      shuffleQuestions: false,
      shuffleOptions: false,
      releaseResults: 'immediately',
    }
    const backwards = await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({ ...base, closesAt: at(-minutes(5)), paper: { rules: RULES } })
    expect(backwards.status).toBe(422)
    expect(backwards.body.error.details[0].field).toBe('closesAt')
    const tooMany = await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({ ...base, paper: { rules: [{ category: '三线精神', type: 'single', count: 400, scoreEach: 1 }] } })
    expect(tooMany.status).toBe(422)
    expect(tooMany.body.error.details[0].field).toBe('paper.rules.0.count')
    const passTooHigh = await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({ ...base, passScore: 1000, paper: { rules: RULES } })
    expect(passTooHigh.status).toBe(422)
    const badType = await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({ ...base, paper: { rules: [{ type: 'essay', count: 1, scoreEach: 1 }] } })
    expect(badType.status).toBe(400)
    const noAudience = await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({ ...base, audienceOrgIds: [999999], paper: { rules: RULES } })
    expect(noAudience.status).toBe(422)
    const secretary = await t.login('sj_bgs')
    expect(
      (
        await t
          .http()
          .post('/api/exams')
          .set(bearer(secretary))
          .send({ ...base, paper: { rules: RULES } })
      ).status,
    ).toBe(403)
  })

  it('previews a sample paper without answer keys', async () => {
    const res = await t
      .http()
      .post('/api/exams/preview')
      .set(bearer(admin))
      .send({ paper: { rules: RULES } })
    expect(res.status).toBe(200)
    expect(res.body.maxScore).toBe(RULES_TOTAL)
    expect(res.body.questions).toHaveLength(15)
    expect(JSON.stringify(res.body)).not.toContain('"answer"')
  })
})

describe('taking an exam', () => {
  let exam: any
  let member: string
  let attemptId: number

  beforeAll(async () => {
    exam = await createExam()
    member = await t.login('dy0001')
  })

  it('lists the exam for members of the audience only', async () => {
    const mine = seen(await t.http().get('/api/exams').set(bearer(member)))
    expect(mine.body.find((e: any) => e.id === exam.id)).toMatchObject({ myStatus: 'available', paper: null })
    const outsider = await t.login('sj_xyjg') // 学院 is not in the audience
    expect((await t.http().get('/api/exams').set(bearer(outsider))).body.find((e: any) => e.id === exam.id && e.myStatus)).toBeUndefined()
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(outsider)).send({})
    expect(start.status).toBe(403)
  })

  it('starts with a server deadline and no answer keys; a second start resumes', async () => {
    const res = seen(await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({ deviceId: 'phone-1' }))
    expect(res.status).toBe(200)
    attemptId = res.body.attemptId
    expect(res.body.deadline).toBe(at(minutes(30)))
    expect(res.body.serverNow).toBe(clock.now().toISOString())
    expect(res.body.questions).toHaveLength(15)
    expect(res.body.questions[0]).toEqual(
      expect.objectContaining({ id: expect.any(Number), type: expect.any(String), stem: expect.any(String), score: expect.any(Number) }),
    )
    expect(res.body.answers).toEqual({})
    const ids = res.body.questions.map((q: any) => q.id)
    expect(new Set(ids).size).toBe(ids.length)

    const again = seen(await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({ deviceId: 'phone-1' }))
    expect(again.body.attemptId).toBe(attemptId)
    expect(again.body.questions).toEqual(res.body.questions)
  })

  it('autosaves, validates the shape, and resumes on another device with the answers', async () => {
    const paper = await paperOf(attemptId)
    const [first, second] = paper.questions
    const ok = seen(
      await t
        .http()
        .put(`/api/attempts/${attemptId}/answers/${first.id}`)
        .set(bearer(member))
        .send({ answer: rightAnswer(first) }),
    )
    expect(ok.status).toBe(200)
    expect(ok.body.savedAt).toBe(clock.now().toISOString())
    const badShape = await t
      .http()
      .put(`/api/attempts/${attemptId}/answers/${second.id}`)
      .set(bearer(member))
      .send({ answer: { nope: 1 } })
    expect(badShape.status).toBe(400)
    expect(badShape.body.error.message).toContain('answer')
    const notInPaper = await t.http().put(`/api/attempts/${attemptId}/answers/999999`).set(bearer(member)).send({ answer: 'A' })
    expect(notInPaper.status).toBe(404)
    const stranger = await t.login('dy0002')
    expect(
      (
        await t
          .http()
          .put(`/api/attempts/${attemptId}/answers/${first.id}`)
          .set(bearer(stranger))
          .send({ answer: rightAnswer(first) })
      ).status,
    ).toBe(404)

    const tablet = seen(await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({ deviceId: 'tablet-2' }))
    expect(tablet.body.attemptId).toBe(attemptId)
    expect(tablet.body.answers[first.id]).toEqual(rightAnswer(first))
    const row = await t.db
      .selectFrom('attempts')
      .select(['device_switches', 'answered_count'])
      .where('id', '=', attemptId)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ device_switches: 1, answered_count: 1 })
  })

  it('concurrent saves of one answer all succeed and the last one wins', async () => {
    const q = (await paperOf(attemptId)).questions.find((x) => x.type === 'judge')!
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t
          .http()
          .put(`/api/attempts/${attemptId}/answers/${q.id}`)
          .set(bearer(member))
          .send({ answer: i % 2 === 0 }),
      ),
    )
    expect(results.every((r) => r.status === 200)).toBe(true)
    await t.http().put(`/api/attempts/${attemptId}/answers/${q.id}`).set(bearer(member)).send({ answer: q.answer })
    const saved = await t.db
      .selectFrom('attempt_answers')
      .select('answer')
      .where('attempt_id', '=', attemptId)
      .where('question_id', '=', q.id)
      .execute()
    expect(saved).toEqual([{ answer: q.answer }])
  })

  it('grades on submit, returns the same result twice, and then refuses changes', async () => {
    const paper = await paperOf(attemptId)
    for (const q of paper.questions) {
      const answer = q.id === paper.questions[1].id ? wrongAnswer(q) : rightAnswer(q)
      expect((await t.http().put(`/api/attempts/${attemptId}/answers/${q.id}`).set(bearer(member)).send({ answer })).status).toBe(200)
    }
    clock.advance(minutes(7))
    const submit = seen(await t.http().post(`/api/attempts/${attemptId}/submit`).set(bearer(member)))
    expect(submit.status).toBe(200)
    expect(submit.body).toEqual({
      score: RULES_TOTAL - paper.questions[1].score,
      maxScore: RULES_TOTAL,
      passed: true,
      submittedAt: clock.now().toISOString(),
    })
    clock.advance(minutes(1))
    const again = await t.http().post(`/api/attempts/${attemptId}/submit`).set(bearer(member))
    expect(again.body).toEqual(submit.body)
    const late = await t
      .http()
      .put(`/api/attempts/${attemptId}/answers/${paper.questions[0].id}`)
      .set(bearer(member))
      .send({ answer: rightAnswer(paper.questions[0]) })
    expect(late.status).toBe(409)
    const restart = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    expect(restart.status).toBe(409)
  })

  it('never sent a member an answer key or explanation before review', () => {
    const leaks: string[] = []
    const scan = (v: unknown, path: string) => {
      if (Array.isArray(v)) v.forEach((x, i) => scan(x, `${path}[${i}]`))
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (['answer', 'correctAnswer', 'explanation', 'correct', 'fingerprint'].includes(k)) leaks.push(`${path}.${k}`)
          scan(x, `${path}.${k}`)
        }
    }
    memberPayloads.forEach((p, i) => scan(p, `payload${i}`))
    expect(memberPayloads.length).toBeGreaterThan(5)
    expect(leaks).toEqual([])
  })

  it('shows the review once released: my answer, the key and the explanation', async () => {
    const res = await t.http().get(`/api/attempts/${attemptId}`).set(bearer(member))
    expect(res.body).toMatchObject({ attemptId, examId: exam.id, status: 'submitted', passed: true, reviewAvailable: true })
    const wrong = res.body.questions.filter((q: any) => !q.correct)
    expect(wrong).toHaveLength(1)
    expect(wrong[0]).toEqual(
      expect.objectContaining({ correctAnswer: expect.anything(), yourAnswer: expect.anything(), explanation: expect.any(String) }),
    )
  })
})

describe('fairness of random papers', () => {
  it('gives everyone the same structure and total with no repeats', async () => {
    const exam = await createExam({ title: '公平性' })
    const totals = new Set<number>()
    for (const u of ['dy0003', 'dy0004', 'dy0005']) {
      const res = await t
        .http()
        .post(`/api/exams/${exam.id}/attempts`)
        .set(bearer(await t.login(u)))
        .send({})
      const paper = await paperOf(res.body.attemptId)
      const ids = paper.questions.map((q) => q.id)
      expect(new Set(ids).size).toBe(15)
      totals.add(paper.questions.reduce((s, q) => s + q.score, 0))
      const types = paper.questions
        .map((q) => q.type)
        .sort()
        .join()
      expect(types).toBe(
        ['fill', 'fill', ...Array(4).fill('judge'), ...Array(3).fill('multiple'), ...Array(6).fill('single')].sort().join(),
      )
    }
    expect([...totals]).toEqual([RULES_TOTAL])
  })
})

describe('deadlines', () => {
  it('refuses answers after the deadline and the sweeper submits with saved answers, even after a restart', async () => {
    const exam = await createExam({
      title: '限时',
      durationMinutes: 10,
      paper: { rules: [{ type: 'judge', count: 4, scoreEach: 25 }] },
      passScore: 50,
    })
    const member = await t.login('dy0006')
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    const paper = await paperOf(start.body.attemptId)
    for (const q of paper.questions.slice(0, 2)) {
      await t.http().put(`/api/attempts/${start.body.attemptId}/answers/${q.id}`).set(bearer(member)).send({ answer: q.answer })
    }
    clock.advance(minutes(11))
    const late = await t
      .http()
      .put(`/api/attempts/${start.body.attemptId}/answers/${paper.questions[2].id}`)
      .set(bearer(member))
      .send({ answer: paper.questions[2].answer })
    expect(late.status).toBe(409)

    // The server "restarts" after the deadline: a new process on the same database sweeps.
    const restarted = await buildApp({
      db: t.db,
      dbKind: t.app.dbKind,
      jwtSecret: 'test-secret-test-secret',
      clock,
      logLevel: 'silent',
      webDist: '/nonexistent',
    })
    await restarted.ready()
    const swept = await sweepOverdue(restarted.deps)
    expect(swept.submitted).toBeGreaterThanOrEqual(1)
    const row = await t.db.selectFrom('attempts').selectAll().where('id', '=', start.body.attemptId).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'submitted', submitted_by: 'deadline', passed: true })
    expect(Number(row.score)).toBe(50)
    expect(new Date(row.submitted_at!).toISOString()).toBe(start.body.deadline)
    expect((await sweepOverdue(restarted.deps)).submitted).toBe(0)
    await restarted.close()
  })

  it('caps the deadline at the window end and refuses starts outside the window', async () => {
    const exam = await createExam({
      title: '窗口',
      opensAt: at(minutes(5)),
      closesAt: at(minutes(25)),
      durationMinutes: 60,
      paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
      passScore: 50,
    })
    const member = await t.login('dy0007')
    expect((await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).status).toBe(409)
    clock.advance(minutes(6))
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    expect(start.status).toBe(200)
    expect(start.body.deadline).toBe(exam.closesAt)
    clock.advance(minutes(30))
    expect(
      (
        await t
          .http()
          .post(`/api/exams/${exam.id}/attempts`)
          .set(bearer(await t.login('dy0008')))
          .send({})
      ).status,
    ).toBe(409)
  })
})

describe('exceptions on the day', () => {
  it('extends one person, grants an extra attempt, and reopens an attempt — all audited', async () => {
    const exam = await createExam({ title: '特殊情况', paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] }, passScore: 50 })
    const member = await t.login('dy0009')
    const me = (await t.http().get('/api/me').set(bearer(member))).body
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    const secretary = await t.login('sj_bgs')
    const extend = await t
      .http()
      .post(`/api/exams/${exam.id}/allowances`)
      .set(bearer(secretary))
      .send({ userId: me.id, extraMinutes: 15, reason: '网络故障' })
    expect(extend.status).toBe(200)
    const resumed = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    expect(new Date(resumed.body.deadline).getTime() - new Date(start.body.deadline).getTime()).toBe(minutes(15))

    await t.http().post(`/api/attempts/${start.body.attemptId}/submit`).set(bearer(member))
    const reopen = await t
      .http()
      .post(`/api/attempts/${start.body.attemptId}/reopen`)
      .set(bearer(secretary))
      .send({ reason: '误触交卷', minutes: 5 })
    expect(reopen.status).toBe(200)
    expect(reopen.body.status).toBe('in_progress')
    await t.http().post(`/api/attempts/${start.body.attemptId}/submit`).set(bearer(member))

    expect((await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).status).toBe(409)
    await t.http().post(`/api/exams/${exam.id}/allowances`).set(bearer(secretary)).send({ userId: me.id, extraAttempts: 1, reason: '补考' })
    expect((await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).status).toBe(200)

    const log = await t.db
      .selectFrom('audit_log')
      .select(['action', 'reason'])
      .where('action', 'in', ['exam.allowance', 'attempt.reopen'])
      .execute()
    expect(log.map((l) => l.reason)).toEqual(expect.arrayContaining(['网络故障', '误触交卷', '补考']))

    // Another branch's secretary cannot touch this person.
    const other = await t.login('sj_dzxx')
    expect(
      (await t.http().post(`/api/exams/${exam.id}/allowances`).set(bearer(other)).send({ userId: me.id, extraMinutes: 5, reason: 'x' }))
        .status,
    ).toBe(404)
  })
})

describe('results, scoped', () => {
  let exam: any
  beforeAll(async () => {
    exam = await createExam({ title: '成绩范围', paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] }, passScore: 50 })
    for (const [u, right] of [
      ['dy0010', 2],
      ['dy0011', 1],
      ['sj_dzxx', 2],
    ] as const) {
      const token = await t.login(u)
      const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(token)).send({})
      const paper = await paperOf(start.body.attemptId)
      for (const [i, q] of paper.questions.entries())
        await t
          .http()
          .put(`/api/attempts/${start.body.attemptId}/answers/${q.id}`)
          .set(bearer(token))
          .send({ answer: i < right ? q.answer : !q.answer })
      clock.advance(1000 * (u === 'sj_dzxx' ? 30 : 60))
      await t.http().post(`/api/attempts/${start.body.attemptId}/submit`).set(bearer(token))
    }
  })

  it('admin sees everyone invited, with not_started people too', async () => {
    const res = await t.http().get(`/api/exams/${exam.id}/results`).set(bearer(admin))
    expect(res.status).toBe(200)
    const statuses = new Set(res.body.map((r: any) => r.status))
    expect(statuses).toEqual(new Set(['submitted', 'not_started']))
    expect(res.body[0]).toEqual(
      expect.objectContaining({
        userId: expect.any(Number),
        name: expect.any(String),
        orgId: expect.any(Number),
        orgName: expect.any(String),
        status: expect.any(String),
      }),
    )
  })

  it("a secretary's results, monitor and leaderboard hold only her subtree", async () => {
    const secretary = await t.login('sj_bgs')
    const results = (await t.http().get(`/api/exams/${exam.id}/results`).set(bearer(secretary))).body
    expect(results.length).toBeGreaterThan(0)
    expect(results.every((r: any) => r.orgName === '办公室党支部')).toBe(true)
    const monitor = (await t.http().get(`/api/exams/${exam.id}/monitor`).set(bearer(secretary))).body
    expect(monitor).toMatchObject({ invited: results.length, started: 2, submitted: 2 })
    expect(monitor.byOrg.map((o: any) => o.name)).toEqual(['办公室党支部'])
    const board = (await t.http().get(`/api/exams/${exam.id}/leaderboard`).set(bearer(secretary))).body
    expect(board.map((r: any) => r.orgName)).toEqual(['办公室党支部', '办公室党支部'])
    const adminBoard = (await t.http().get(`/api/exams/${exam.id}/leaderboard`).set(bearer(admin))).body
    expect(adminBoard.map((r: any) => [r.rank, r.score])).toEqual([
      [1, 100],
      [2, 100],
      [3, 50],
    ])
    // Ties on score are broken by time taken: sj_dzxx was faster.
    expect(adminBoard[0].durationSeconds).toBeLessThan(adminBoard[1].durationSeconds)
  })

  it('exports xlsx and gives per-question statistics', async () => {
    const xlsx = await t.http().get(`/api/exams/${exam.id}/results?format=xlsx`).set(bearer(admin)).buffer(true)
    expect(xlsx.status).toBe(200)
    expect(xlsx.headers['content-type']).toContain('spreadsheetml')
    const stats = (await t.http().get(`/api/exams/${exam.id}/stats`).set(bearer(admin))).body
    expect(stats.submitted).toBe(3)
    expect(stats.distribution.reduce((s: number, b: any) => s + b.count, 0)).toBe(3)
  })

  it('members cannot see results or monitor', async () => {
    const member = await t.login('dy0010')
    expect((await t.http().get(`/api/exams/${exam.id}/results`).set(bearer(member))).status).toBe(403)
    expect((await t.http().get(`/api/exams/${exam.id}/monitor`).set(bearer(member))).status).toBe(403)
  })
})

describe('release after close', () => {
  it('keeps the review closed until the window ends', async () => {
    const exam = await createExam({
      title: '统一公布',
      releaseResults: 'after_close',
      closesAt: at(minutes(40)),
      paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
      passScore: 50,
    })
    const member = await t.login('dy0012')
    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})
    await t.http().post(`/api/attempts/${start.body.attemptId}/submit`).set(bearer(member))
    const before = await t.http().get(`/api/attempts/${start.body.attemptId}`).set(bearer(member))
    expect(before.body.reviewAvailable).toBe(false)
    expect(before.body.questions).toBeUndefined()
    expect(JSON.stringify(before.body)).not.toMatch(/correctAnswer|explanation/)
    clock.advance(minutes(41))
    const after = await t.http().get(`/api/attempts/${start.body.attemptId}`).set(bearer(member))
    expect(after.body.reviewAvailable).toBe(true)
    expect(after.body.questions).toHaveLength(2)
  })
})

describe('group commit of autosaves', () => {
  it('acknowledges and stores every save of many takers sent at once, refusing the closed ones', async () => {
    const exam = await createExam({
      title: '批量保存',
      shuffleQuestions: false,
      paper: { rules: [{ type: 'judge', count: 8, scoreEach: 10 }] },
      passScore: 0,
    })
    const members = ['dy0050', 'dy0051', 'dy0052', 'dy0053', 'dy0054'] // 厅机关 branches, in the audience
    const starts = await Promise.all(
      members.map(async (u) => {
        const token = await t.login(u)
        return { token, start: (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(token)).send({})).body }
      }),
    )
    // The last member hands in first: her saves in the same burst must be refused, not stored.
    const closed = starts.at(-1)!
    await t.http().post(`/api/attempts/${closed.start.attemptId}/submit`).set(bearer(closed.token))
    const results = await Promise.all(
      starts.flatMap(({ token, start }) =>
        start.questions.map((q: any, i: number) =>
          t
            .http()
            .put(`/api/attempts/${start.attemptId}/answers/${q.id}`)
            .set(bearer(token))
            .send({ answer: i % 2 === 0 })
            .then((r) => ({ attemptId: start.attemptId, status: r.status })),
        ),
      ),
    )
    expect(results.filter((r) => r.attemptId !== closed.start.attemptId).every((r) => r.status === 200)).toBe(true)
    expect(results.filter((r) => r.attemptId === closed.start.attemptId).every((r) => r.status === 409)).toBe(true)
    const rows = await t.db
      .selectFrom('attempts')
      .select(['id', 'answered_count'])
      .where(
        'id',
        'in',
        starts.map((s) => s.start.attemptId),
      )
      .execute()
    for (const r of rows) expect(r.answered_count).toBe(r.id === closed.start.attemptId ? 0 : 8)
    const stored = await t.db
      .selectFrom('attempt_answers')
      .select(['attempt_id'])
      .where(
        'attempt_id',
        'in',
        starts.map((s) => s.start.attemptId),
      )
      .execute()
    expect(stored).toHaveLength(8 * 4)
  })
})

describe('submit without holding the lock', () => {
  it('grades an answer saved between its read and its close: the close is refused and the submit reads again', async () => {
    const exam = await createExam({
      title: '提交竞态',
      shuffleQuestions: false,
      paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
      passScore: 0,
    })
    const token = await t.login('dy0055')
    const start = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(token)).send({})).body
    const paper = await paperOf(start.attemptId)
    const [first, second] = paper.questions
    await t
      .http()
      .put(`/api/attempts/${start.attemptId}/answers/${first.id}`)
      .set(bearer(token))
      .send({ answer: rightAnswer(first) })
    // A submit read the attempt here …
    const read = (await readForSubmit(t.db, start.attemptId))!
    const stale = gradeAttempt(read, new Map(read.saved.map((s) => [s.q, s.a])), read)
    expect(stale.score).toBe(50)
    // … an acknowledged save lands before it closes …
    const saved = await t
      .http()
      .put(`/api/attempts/${start.attemptId}/answers/${second.id}`)
      .set(bearer(token))
      .send({ answer: rightAnswer(second) })
    expect(saved.status).toBe(200)
    // … so its close changes nothing, and the submit that follows grades both answers.
    expect(await closeIfUnchanged(t.db, read, stale, new Date(), 'user')).toBeUndefined()
    const submitted = await t.http().post(`/api/attempts/${start.attemptId}/submit`).set(bearer(token))
    expect(submitted.body.score).toBe(100)
    const graded = await t.db.selectFrom('attempt_answers').select(['correct']).where('attempt_id', '=', start.attemptId).execute()
    expect(graded.map((g) => g.correct)).toEqual([true, true])
    const person = await t.db
      .selectFrom('exam_people')
      .selectAll()
      .where('exam_id', '=', exam.id)
      .where('user_id', '=', read.user_id)
      .executeTakeFirstOrThrow()
    expect([person.submitted, Number(person.best)]).toEqual([true, 100])
  })
})

describe('incremental counters', () => {
  it('match a recount from the attempts after starts, submissions, a retake and a reopen', async () => {
    const exam = await createExam({
      title: '计数一致',
      maxAttempts: 2,
      paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
      passScore: 0,
    })
    const take = async (u: string, right: number, submit = true) => {
      const token = await t.login(u)
      const start = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(token)).send({})).body
      const paper = await paperOf(start.attemptId)
      for (const [i, q] of paper.questions.entries())
        await t
          .http()
          .put(`/api/attempts/${start.attemptId}/answers/${q.id}`)
          .set(bearer(token))
          .send({ answer: i < right ? q.answer : !q.answer })
      if (submit) await t.http().post(`/api/attempts/${start.attemptId}/submit`).set(bearer(token))
      return start.attemptId as number
    }
    await take('dy0060', 2)
    await take('dy0061', 1)
    await take('dy0061', 2) // a better retake
    const reopened = await take('dy0062', 2)
    await take('dy0063', 0, false) // started, never submitted
    await t.http().post(`/api/attempts/${reopened}/reopen`).set(bearer(admin)).send({ reason: '误交' })

    const monitor = (await t.http().get(`/api/exams/${exam.id}/monitor`).set(bearer(admin))).body
    const attempts = await t.db.selectFrom('attempts').select(['user_id', 'status', 'score']).where('exam_id', '=', exam.id).execute()
    const users = new Set(attempts.map((a) => a.user_id))
    const submitted = [...users].filter((u) => attempts.some((a) => a.user_id === u && a.status === 'submitted'))
    expect(monitor.started).toBe(users.size)
    expect(monitor.submitted).toBe(submitted.length)
    const bests = submitted.map((u) =>
      Math.max(...attempts.filter((a) => a.user_id === u && a.status === 'submitted').map((a) => Number(a.score))),
    )
    const avg = Math.round((bests.reduce((a, b) => a + b, 0) / bests.length) * 10) / 10
    const withScores = monitor.byOrg.filter((o: any) => o.avgScore !== null)
    const weighted =
      withScores.reduce((s: number, o: any) => s + o.avgScore * o.submitted, 0) /
      withScores.reduce((s: number, o: any) => s + o.submitted, 0)
    expect(Math.round(weighted * 10) / 10).toBe(avg)
    const board = (await t.http().get(`/api/exams/${exam.id}/leaderboard`).set(bearer(admin))).body
    expect(board.map((r: any) => r.score)).toEqual(bests.sort((a, b) => b - a))
  })
})

describe('a secretary sitting an exam her branch is invited to', () => {
  it('lists it with her own status, as a member sees it, and her start counts it as sat', async () => {
    const exam = await createExam({ title: '书记也参加的测试' })
    const secretary = await t.login('sj_bgs') // 办公室党支部, inside 厅机关党委
    const listed = (await t.http().get('/api/exams').set(bearer(secretary))).body.find((e: any) => e.id === exam.id)
    // The staff view stays (she also watches it), with her own standing beside it.
    expect(listed).toMatchObject({ myStatus: 'available', myAttempts: 0, attemptsAllowed: 1, paper: { rules: RULES } })
    const one = (await t.http().get(`/api/exams/${exam.id}`).set(bearer(secretary))).body
    expect(one).toMatchObject({ myStatus: 'available', attemptsAllowed: 1 })

    const start = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(secretary)).send({})
    expect(start.status).toBe(200)
    const after = (await t.http().get(`/api/exams/${exam.id}`).set(bearer(secretary))).body
    expect(after).toMatchObject({ myStatus: 'in_progress', myAttempts: 1, myAttemptId: start.body.attemptId })

    // Another branch's secretary is not invited: staff view only, no status of her own.
    const outsider = await t.login('sj_xyjg')
    expect((await t.http().get('/api/exams').set(bearer(outsider))).body.find((e: any) => e.id === exam.id)).toBeUndefined()
    // An admin cannot sit exams: no status either.
    const forAdmin = (await t.http().get(`/api/exams/${exam.id}`).set(bearer(admin))).body
    expect(forAdmin.myStatus).toBeUndefined()
  })
})
