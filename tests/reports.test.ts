// 参与情况统计: every figure checked against a brute-force count over the same rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { createTestContext, bearer, binary, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { award, type AwardInput } from '../server/modules/points/award.js'
import { shanghaiDate } from '../server/lib/time.js'

/** An award in its own transaction, as a service would make it. */
const awardNow = (input: AwardInput) => t.db.transaction().execute((tx) => award(tx, input))

// 10:00 in Shanghai on 2026-11-16; the default range is November 2026.
const clock = new ManualClock(new Date('2026-11-16T02:00:00Z'))
let t: TestContext
let admin: string
const orgs: Record<string, { id: number; path: string; parent_id: number | null }> = {}
const person = (username: string) =>
  t.db.selectFrom('users').select(['id', 'org_id']).where('username', '=', username).executeTakeFirstOrThrow()

async function ok(res: { status: number; body: any }, status = 200) {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

async function newExam(title: string, audience: number[], maxAttempts = 1) {
  return ok(
    await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({
        title,
        opensAt: new Date(clock.now().getTime() - 60_000).toISOString(),
        closesAt: new Date(clock.now().getTime() + 6 * 3_600_000).toISOString(),
        durationMinutes: 30,
        audienceOrgIds: audience,
        passScore: 60,
        maxAttempts,
        shuffleQuestions: false,
        shuffleOptions: false,
        releaseResults: 'immediately',
        paper: { rules: [{ type: 'judge', count: 1, scoreEach: 100 }] },
      }),
    201,
  )
}

/** Takes the exam as `username`: answers right (100, passes), wrong (0, fails) or leaves it open. */
async function take(username: string, examId: number, outcome: 'pass' | 'fail' | 'open') {
  const token = await t.login(username)
  const started = await t.http().post(`/api/exams/${examId}/attempts`).set(bearer(token)).send({})
  if (started.status >= 300) throw new Error(`start ${username}: ${started.status} ${JSON.stringify(started.body)}`)
  const { attemptId, questions } = started.body
  if (outcome === 'open') return
  const q = await t.db.selectFrom('questions').select('answer').where('id', '=', questions[0].id).executeTakeFirstOrThrow()
  const right = q.answer as boolean
  await ok(
    await t
      .http()
      .put(`/api/attempts/${attemptId}/answers/${questions[0].id}`)
      .set(bearer(token))
      .send({ answer: outcome === 'pass' ? right : !right }),
  )
  await ok(await t.http().post(`/api/attempts/${attemptId}/submit`).set(bearer(token)))
}

beforeAll(async () => {
  t = await createTestContext({ clock })
  admin = await t.login(DEMO_ADMIN.username)
  for (const o of await t.db.selectFrom('orgs').select(['id', 'name', 'path', 'parent_id']).execute()) orgs[o.name] = o
  const question = await t.db.selectFrom('questions').select('id').executeTakeFirstOrThrow()

  // Points in range, on its edges and just outside it (Shanghai days).
  const at = (iso: string) => new Date(iso)
  const give = async (username: string, rule: string, when: Date, key: string) => {
    const u = await person(username)
    await awardNow({ userId: u.id, orgId: u.org_id, rule, idemKey: key, at: when })
  }
  await give('dy0001', 'login', at('2026-10-31T15:59:00Z'), 'r1') // 10-31 23:59: out
  await give('dy0001', 'login', at('2026-10-31T16:01:00Z'), 'r2') // 11-01 00:01: in
  await give('dy0001', 'opinion', at('2026-11-01T03:00:00Z'), 'r3') // same person-day
  await give('dy0001', 'login', at('2026-11-10T03:00:00Z'), 'r4')
  await give('dy0002', 'daily_quiz', at('2026-11-30T15:00:00Z'), 'r5') // 11-30 23:00: in
  await give('dy0002', 'login', at('2026-11-30T16:30:00Z'), 'r6') // 12-01: out
  const sec = await t.login('sj_bgs')
  await ok(
    await t
      .http()
      .post('/api/points/adjustments')
      .set(bearer(sec))
      .send({ userId: (await person('dy0003')).id, points: 4, reason: '线下集中学习补记' }),
  )
  await ok(
    await t
      .http()
      .post('/api/points/adjustments')
      .set(bearer(admin))
      .send({ userId: (await person('dy0004')).id, points: -2, reason: '扣减测试' }),
  )
  for (const u of ['dy0030', 'dy0031', 'dy0045']) await give(u, 'login', at('2026-11-05T01:00:00Z'), `r-${u}`)
  await t.login('dy0050') // logging in today earns 登录 through the real API

  // Study time and practice answers, in and out of range.
  const st = async (username: string, day: string, seconds: number, material = 1) => {
    const m = await t.db.selectFrom('materials').select('id').orderBy('id').offset(material).limit(1).executeTakeFirst()
    await t.db
      .insertInto('study_time')
      .values({ user_id: (await person(username)).id, material_id: m!.id, day, seconds })
      .execute()
  }
  await st('dy0001', '2026-11-02', 1800)
  await st('dy0001', '2026-10-30', 3600)
  await st('dy0030', '2026-11-20', 5400, 0)
  const pa = async (username: string, day: string, correct: boolean) =>
    t.db
      .insertInto('practice_answers')
      .values({
        user_id: (await person(username)).id,
        question_id: question.id,
        mode: 'daily',
        correct,
        day,
        at: new Date(`${day}T02:00:00Z`),
      })
      .execute()
  await pa('dy0001', '2026-11-03', true)
  await pa('dy0001', '2026-11-03', false)
  await pa('dy0031', '2026-11-04', true)
  await pa('dy0031', '2026-10-04', true)

  // An October exam (out of range) and a November one in two branches: passes, fails, a retake, one left open.
  clock.set('2026-10-20T02:00:00Z')
  const october = await newExam('十月党史测试', [orgs['办公室党支部'].id])
  await take('dy0005', october.id, 'pass')
  clock.set('2026-11-16T02:00:00Z')
  const november = await newExam('党史知识集中测试', [orgs['厅机关党委'].id], 2)
  await take('dy0001', november.id, 'pass')
  await take('dy0002', november.id, 'fail')
  await take('dy0002', november.id, 'pass') // retake: best counts
  await take('dy0003', november.id, 'fail')
  await take('dy0004', november.id, 'open')
  const dzxx = (
    await t.db
      .selectFrom('users')
      .select('username')
      .where('org_id', '=', orgs['电子信息处党支部'].id)
      .where('role', '=', 'member')
      .orderBy('id')
      .limit(3)
      .execute()
  ).map((u) => u.username)
  await take(dzxx[0], november.id, 'pass')
  await take(dzxx[1], november.id, 'fail')
  await newExam('无人参加的测试', [orgs['原材料工业处党支部'].id])
}, 120_000)
afterAll(async () => {
  await t?.close()
})

/** The report recomputed from raw rows in plain JavaScript. */
async function bruteForce(orgId: number, from: string, to: string) {
  const allOrgs = await t.db.selectFrom('orgs').selectAll().execute()
  const org = allOrgs.find((o) => o.id === orgId)!
  const users = await t.db.selectFrom('users').selectAll().execute()
  const userById = new Map(users.map((u) => [u.id, u]))
  const pathOf = new Map(allOrgs.map((o) => [o.id, o.path]))
  const nonAdmin = (userId: number) => userById.get(userId)!.role !== 'admin'
  const ledger = (await t.db.selectFrom('point_ledger').selectAll().execute()).filter(
    (l) => String(l.day) >= from && String(l.day) <= to && nonAdmin(l.user_id),
  )
  const study = (await t.db.selectFrom('study_time').selectAll().execute()).filter(
    (s) => String(s.day) >= from && String(s.day) <= to && nonAdmin(s.user_id),
  )
  const practice = (await t.db.selectFrom('practice_answers').selectAll().execute()).filter(
    (p) => String(p.day) >= from && String(p.day) <= to && nonAdmin(p.user_id),
  )
  const attempts = (await t.db.selectFrom('attempts').selectAll().execute()).filter((a) => {
    const d = shanghaiDate(new Date(a.started_at))
    return d >= from && d <= to && nonAdmin(a.user_id)
  })
  const children = allOrgs.filter((o) => o.parent_id === org.id && o.active).sort((a, b) => a.sort - b.sort || a.id - b.id)
  const userPath = (userId: number) => pathOf.get(userById.get(userId)!.org_id)!
  const figures = (inUnit: (path: string) => boolean) => {
    const members = users.filter((u) => u.active && u.role !== 'admin' && inUnit(pathOf.get(u.org_id)!)).length
    const l = ledger.filter((r) => inUnit(pathOf.get(r.org_id)!))
    const pos = l.filter((r) => r.points > 0)
    const points = l.reduce((s, r) => s + r.points, 0)
    const a = attempts.filter((r) => inUnit(pathOf.get(r.org_id)!))
    const best = new Map<string, number>()
    for (const r of a)
      if (r.status === 'submitted')
        best.set(`${r.exam_id}:${r.user_id}`, Math.max(best.get(`${r.exam_id}:${r.user_id}`) ?? -Infinity, Number(r.score)))
    return {
      members,
      learners: new Set(pos.map((r) => r.user_id)).size,
      learnerDays: new Set(pos.map((r) => `${r.user_id}:${r.day}`)).size,
      points,
      perCapita: members ? Math.round((points / members) * 10) / 10 : 0,
      studyHours: Math.round((study.filter((s) => inUnit(userPath(s.user_id))).reduce((s, r) => s + r.seconds, 0) / 3600) * 10) / 10,
      practiceAnswers: practice.filter((p) => inUnit(userPath(p.user_id))).length,
      exams: new Set(a.map((r) => r.exam_id)).size,
      attempts: a.length,
      takers: new Set(a.map((r) => r.user_id)).size,
      finishers: new Set(a.filter((r) => r.status === 'submitted').map((r) => r.user_id)).size,
      passers: new Set(a.filter((r) => r.status === 'submitted' && r.passed).map((r) => r.user_id)).size,
      avgScore: best.size ? Math.round(([...best.values()].reduce((s, v) => s + v, 0) / best.size) * 10) / 10 : null,
    }
  }
  const rows = children.map((c) => ({ orgId: c.id, name: c.name, own: false, ...figures((p) => p.startsWith(c.path)) }))
  const direct = users.filter((u) => u.org_id === org.id && u.active && u.role !== 'admin').length
  if (!children.length || direct > 0) rows.push({ orgId: org.id, name: org.name, own: true, ...figures((p) => p === org.path) })
  return { rows, total: figures((p) => p.startsWith(org.path)) }
}

describe('GET /api/reports/participation', () => {
  it('defaults to the current Shanghai month and the caller’s scope root, and matches a brute-force count', async () => {
    const body = await ok(await t.http().get('/api/reports/participation').set(bearer(admin)))
    expect(body.from).toBe('2026-11-01')
    expect(body.to).toBe('2026-11-30')
    expect(body.org.name).toBe('省工业和信息化厅')
    const expected = await bruteForce(body.org.id, body.from, body.to)
    expect(body.rows).toEqual(expected.rows)
    expect(body.total).toEqual(expected.total)
    expect(body.rows.map((r: any) => r.name)).toContain('厅机关党委')
  })

  it('rolls each branch up and matches by hand-checked figures too', async () => {
    const id = orgs['厅机关党委'].id
    const body = await ok(await t.http().get(`/api/reports/participation?orgId=${id}&from=2026-11-01&to=2026-11-30`).set(bearer(admin)))
    const expected = await bruteForce(id, '2026-11-01', '2026-11-30')
    expect(body.rows).toEqual(expected.rows)
    expect(body.total).toEqual(expected.total)
    const bgs = body.rows.find((r: any) => r.name === '办公室党支部')
    // dy0001 (1+1 on 11-01, 1 on 11-10), dy0002 (daily_quiz on 11-30), dy0003 (+4), dy0004 (-2: no learner), secretaries' logins today.
    // One of the four is still answering: the pass rate's base is the three who handed in.
    expect(bgs).toMatchObject({ exams: 1, attempts: 5, takers: 4, finishers: 3, passers: 2 })
    expect(bgs.learners).toBeGreaterThanOrEqual(3)
    const dzxx = body.rows.find((r: any) => r.name === '电子信息处党支部')
    expect(dzxx).toMatchObject({ exams: 1, attempts: 2, takers: 2, passers: 1, avgScore: 50 })
    expect(body.total.exams).toBe(1) // the October exam is outside the range
    expect(body.exams.map((e: any) => e.title)).toEqual(['党史知识集中测试', '无人参加的测试'])
    const exam = body.exams[0]
    expect(exam).toMatchObject({ date: '2026-11-16', takers: 6, submitted: 5, passers: 3 })
    const invited = await t.db
      .selectFrom('users')
      .innerJoin('orgs', 'orgs.id', 'users.org_id')
      .select('users.id')
      .where('orgs.path', 'like', `${orgs['厅机关党委'].path}%`)
      .where('users.active', '=', true)
      .where('users.role', '!=', 'admin')
      .execute()
    expect(exam.invited).toBe(invited.length)
    expect(body.exams[1]).toMatchObject({ takers: 0, submitted: 0, passers: 0 })
  })

  it('counts Shanghai days: the edges of a range', async () => {
    const id = orgs['办公室党支部'].id
    for (const [from, to] of [
      ['2026-10-31', '2026-10-31'],
      ['2026-11-01', '2026-11-01'],
      ['2026-10-01', '2026-12-31'],
      ['2026-11-30', '2026-12-01'],
    ]) {
      const body = await ok(await t.http().get(`/api/reports/participation?orgId=${id}&from=${from}&to=${to}`).set(bearer(admin)))
      const expected = await bruteForce(id, from, to)
      expect(body.rows, `${from}..${to}`).toEqual(expected.rows)
      expect(body.total, `${from}..${to}`).toEqual(expected.total)
    }
    const oct = await ok(await t.http().get(`/api/reports/participation?orgId=${id}&from=2026-10-01&to=2026-10-31`).set(bearer(admin)))
    expect(oct.total).toMatchObject({ exams: 1, attempts: 1, takers: 1, passers: 1, avgScore: 100 })
    expect(oct.exams.map((e: any) => e.title)).toEqual(['十月党史测试'])
  })

  it('is scoped: a secretary sees her own branch by default, never another', async () => {
    const sec = await t.login('sj_bgs')
    const body = await ok(await t.http().get('/api/reports/participation').set(bearer(sec)))
    expect(body.org.name).toBe('办公室党支部')
    expect(body.rows).toHaveLength(1) // a branch has no units below it: its own people
    expect(body.rows[0]).toMatchObject({ own: true, name: '办公室党支部' })
    expect(body.rows[0]).toEqual({ ...(await bruteForce(orgs['办公室党支部'].id, body.from, body.to)).rows[0] })
    expect(body.exams.map((e: any) => e.title)).toEqual(['党史知识集中测试'])
    expect(body.exams[0]).toMatchObject({ takers: 4, submitted: 3, passers: 2 })
    for (const name of ['电子信息处党支部', '厅机关党委', '省工业和信息化厅']) {
      const res = await t.http().get(`/api/reports/participation?orgId=${orgs[name].id}`).set(bearer(sec))
      expect(res.status, name).toBe(403)
    }
    const member = await t.login('dy0010')
    expect((await t.http().get('/api/reports/participation').set(bearer(member))).status).toBe(403)
    expect((await t.http().get('/api/reports/participation?orgId=999999').set(bearer(admin))).status).toBe(404)
  })

  it('rejects bad ranges naming the field', async () => {
    const bad = async (q: string) => t.http().get(`/api/reports/participation?${q}`).set(bearer(admin))
    const reversed = await bad('from=2026-11-10&to=2026-11-01')
    expect(reversed.status).toBe(422)
    expect(JSON.stringify(reversed.body)).toContain('from')
    const long = await bad('from=2025-01-01&to=2026-01-02')
    expect(long.status).toBe(422)
    expect(JSON.stringify(long.body)).toContain('to')
    expect((await bad('from=2025-01-01&to=2025-12-31')).status).toBe(200)
    expect((await bad('from=2024-01-01&to=2024-12-31')).status).toBe(200) // 366 days of a leap year
    const garbage = await bad('from=2026-13-40')
    expect(garbage.status).toBeGreaterThanOrEqual(400)
    expect(garbage.status).toBeLessThan(500)
    expect(JSON.stringify(garbage.body)).toContain('from')
    expect((await bad('format=pdf')).status).toBe(400)
  })

  it('exports the report as xlsx: a title row, the table and the 考试明细 sheet', async () => {
    const id = orgs['厅机关党委'].id
    const res = await t
      .http()
      .get(`/api/reports/participation?orgId=${id}&from=2026-11-01&to=2026-11-30&format=xlsx`)
      .set(bearer(admin))
      .buffer(true)
      .parse(binary)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(decodeURIComponent(res.headers['content-disposition'])).toContain('参与情况统计-厅机关党委-2026-11-01-2026-11-30.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body)
    const sheet = wb.worksheets[0]
    expect(String(sheet.getCell('A1').value)).toBe('厅机关党委参与情况统计（2026-11-01 至 2026-11-30）')
    expect(sheet.getRow(2).values).toContain('学习人次')
    const json = await ok(await t.http().get(`/api/reports/participation?orgId=${id}&from=2026-11-01&to=2026-11-30`).set(bearer(admin)))
    expect(sheet.rowCount).toBe(2 + json.rows.length + 1)
    expect(sheet.getCell(`A${sheet.rowCount}`).value).toBe('合计')
    expect(sheet.getCell(`D${sheet.rowCount}`).value).toBe(json.total.learnerDays)
    // 及格率 over those who handed in (2 of 3), not over everyone who started (2 of 4).
    const bgsRow = (sheet.getColumn(1).values as unknown[]).indexOf('办公室党支部')
    expect(sheet.getRow(2).getCell(13).value).toBe('及格率')
    expect(sheet.getRow(bgsRow).getCell(13).value).toBe('66.7%')
    const detail = wb.getWorksheet('考试明细')!
    expect(detail.getCell('A3').value).toBe('党史知识集中测试')
    expect(detail.getCell('B3').value).toBe('2026-11-16')
  })
})
