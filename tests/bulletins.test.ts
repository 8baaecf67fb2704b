// 通报 of organised work: the figures of a 通报 equal a brute-force count over the raw tables on
// seeded random data (exams with who missed them, tasks per unit, activities, units per capita,
// the study-points distribution); no list of low scorers unless the deployment switched it on (and
// then every list is audited); nobody downloads another's 通报 and members cannot run it; running
// twice, or on two nodes, or on the schedule after a manual run, sends once. Also the notices of
// organised work the schedule and the task list send (task issued / overdue, contest starting), and
// the policy switch that limits reminders to organised work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { sql } from 'kysely'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { runCircularJob } from '../server/modules/circulars/index.js'
import { NOTIFICATION_KINDS, workOf } from '../server/modules/notifications/index.js'
import { reminderAllowed } from '../server/modules/policy/index.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

const PASSWORD = 'Harbor-Lamp-2026'
const SEED = 20261207
/** Beijing wall-clock time as an instant. */
const bj = (s: string) => new Date(`${s}+08:00`)
const clock = new ManualClock(bj('2026-11-30T09:00:00'))
// The week the 通报 covers: Monday 30 November to Sunday 6 December 2026 (Beijing).
const WEEK = { start: '2026-11-30', end: '2026-12-07', from: bj('2026-11-30T00:00:00'), to: bj('2026-12-07T00:00:00') }
const MONTH = { start: '2026-11-01', end: '2026-12-01', from: bj('2026-11-01T00:00:00'), to: bj('2026-12-01T00:00:00') }

let t: TestContext
let admin: string
const tok: Record<string, string> = {}
const uid: Record<string, number> = {}
const username: Record<string, string> = {}
const org: Record<string, { id: number; name: string; path: string }> = {}
const members: Record<string, { id: number; username: string }[]> = {}

// A small deterministic generator: the same "random" data on every run (mulberry32).
let state = SEED
function rand(): number {
  state = (state + 0x6d2b79f5) | 0
  let x = Math.imul(state ^ (state >>> 15), 1 | state)
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
const pick = <T>(xs: T[], n: number) => [...xs].sort(() => rand() - 0.5).slice(0, n)

async function call(method: 'get' | 'post' | 'put' | 'patch', url: string, token: string, body?: object) {
  const req = t.http()[method](url).set(bearer(token))
  return body === undefined ? req : req.send(body)
}
async function ok(method: 'get' | 'post' | 'put' | 'patch', url: string, token: string, body?: object) {
  const res = await call(method, url, token, body)
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}
async function download(id: number, token: string) {
  return t
    .http()
    .get(`/api/bulletins/${id}/xlsx`)
    .set(bearer(token))
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => cb(null, Buffer.concat(chunks)))
    })
}
async function sheets(buffer: Buffer): Promise<Map<string, unknown[][]>> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(buffer as unknown as ArrayBuffer)
  const out = new Map<string, unknown[][]>()
  wb.eachSheet((ws) => {
    const rows: unknown[][] = []
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)))
    out.set(ws.name, rows)
  })
  return out
}
const circularOf = (userId: number, period: 'week' | 'month') =>
  t.db.selectFrom('circulars').selectAll().where('recipient_id', '=', userId).where('period', '=', period).executeTakeFirst()
const kindsOf = async (userId: number, kind: string) =>
  (
    await t.db.selectFrom('notifications').select('cause').where('user_id', '=', userId).where('kind', '=', kind).orderBy('id').execute()
  ).map((r) => r.cause)
const recipientCount = async () =>
  (
    await t.db
      .selectFrom('users')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('active', '=', true)
      .where('role', 'in', ['secretary', 'admin'])
      .executeTakeFirstOrThrow()
  ).n

/** Sessions end after idle minutes of the server's clock: after moving it by weeks, sign in again. */
async function signInAgain() {
  admin = (await t.tokens(DEMO_ADMIN.username)).accessToken
  for (const key of ['secU', 'secB1', 'secX']) tok[key] = (await t.tokens(username[key], PASSWORD)).accessToken
}

// ───────────────────────────── brute force ─────────────────────────────

interface Period {
  start: string
  end: string
  from: Date
  to: Date
}

/** Every figure of a 通报 counted directly from the raw tables, one loop at a time. */
async function bruteForce(scopePath: string, units: { id: number; path: string }[], period: Period, threshold: number) {
  const orgs = await t.db.selectFrom('orgs').select(['id', 'path']).execute()
  const pathOf = new Map(orgs.map((o) => [o.id, o.path]))
  const users = (await t.db.selectFrom('users').select(['id', 'role', 'active', 'org_id']).execute()).map((u) => ({
    ...u,
    path: pathOf.get(u.org_id)!,
  }))
  const exams = await t.db.selectFrom('exams').selectAll().execute()
  const attempts = await t.db.selectFrom('attempts').select(['exam_id', 'user_id', 'status', 'score']).execute()
  const activities = await t.db.selectFrom('activities').select(['id', 'org_id', 'type', 'starts_at', 'guests']).execute()
  const participants = await t.db.selectFrom('activity_participants').select(['activity_id']).execute()
  const taskOrgs = await t.db
    .selectFrom('campaign_task_orgs as to')
    .innerJoin('campaign_tasks as t', 't.id', 'to.task_id')
    .select(['to.task_id', 'to.org_id', 'to.done_at', 't.due_at'])
    .execute()
  const ledger = await t.db.selectFrom('point_ledger').select(['user_id', 'day', 'points']).execute()
  const inPeriod = (d: Date | string) => new Date(d) >= period.from && new Date(d) < period.to
  const isPerson = (u: (typeof users)[number]) => u.active && (u.role === 'member' || u.role === 'secretary')

  const people = users.filter((u) => isPerson(u) && u.path.startsWith(scopePath))
  type UserRow = (typeof users)[number]
  const examRows: {
    examId: number
    invited: number
    submitted: number
    missed: number
    missedIds: number[]
    avgScore: number | null
    passed: number
    invitedUsers: UserRow[]
    tookIds: Set<number>
  }[] = []
  for (const e of exams) {
    if (e.archived_at || !inPeriod(e.closes_at)) continue
    const audience = (e.audience_org_ids as number[]).map((id) => pathOf.get(id)).filter(Boolean) as string[]
    const invited = users.filter(
      (u) => u.active && u.role !== 'admin' && u.path.startsWith(scopePath) && audience.some((a) => u.path.startsWith(a)),
    )
    if (!invited.length) continue
    const bestOf = (userId: number) => {
      const mine = attempts.filter((a) => a.exam_id === e.id && a.user_id === userId && a.status === 'submitted')
      return mine.length ? Math.max(...mine.map((a) => Number(a.score))) : null
    }
    const took = invited.filter((u) => bestOf(u.id) !== null)
    const scores = took.map((u) => bestOf(u.id)!)
    examRows.push({
      examId: e.id,
      invited: invited.length,
      submitted: took.length,
      missed: invited.length - took.length,
      missedIds: invited
        .filter((u) => bestOf(u.id) === null)
        .map((u) => u.id)
        .sort((a, b) => a - b),
      avgScore: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100 : null,
      passed: scores.filter((s) => s >= e.pass_score).length,
      invitedUsers: invited,
      tookIds: new Set(took.map((u) => u.id)),
    })
  }
  const tasks = taskOrgs
    .filter((r) => inPeriod(r.due_at) && pathOf.get(r.org_id)!.startsWith(scopePath))
    .map((r) => ({
      ...r,
      path: pathOf.get(r.org_id)!,
      outcome: !r.done_at ? 'not_done' : new Date(r.done_at) <= new Date(r.due_at) ? 'on_time' : 'late',
    }))
  const acts = activities
    .filter((a) => inPeriod(a.starts_at) && pathOf.get(a.org_id)!.startsWith(scopePath))
    .map((a) => ({ ...a, path: pathOf.get(a.org_id)!, attendance: a.guests + participants.filter((p) => p.activity_id === a.id).length }))
  const unitRows = units.map((u) => {
    const n = people.filter((p) => p.path.startsWith(u.path)).length
    const attendance = acts.filter((a) => a.path.startsWith(u.path)).reduce((s, a) => s + a.attendance, 0)
    let invited = 0
    let submitted = 0
    for (const e of examRows)
      for (const p of e.invitedUsers.filter((x) => x.path.startsWith(u.path))) {
        invited++
        if (e.tookIds.has(p.id)) submitted++
      }
    const ut = tasks.filter((x) => x.path.startsWith(u.path))
    return {
      orgId: u.id,
      people: n,
      sessions: acts.filter((a) => a.path.startsWith(u.path)).length,
      attendance,
      perCapita: n ? attendance / n : null,
      invited,
      submitted,
      tasks: ut.length,
      tasksDone: ut.filter((x) => x.outcome !== 'not_done').length,
      rank: null as number | null,
    }
  })
  for (const u of unitRows)
    if (u.perCapita !== null) u.rank = 1 + unitRows.filter((o) => o.perCapita !== null && o.perCapita > u.perCapita!).length
  const pointsOf = new Map<number, number>()
  for (const l of ledger)
    if (l.day >= period.start && l.day < period.end) pointsOf.set(l.user_id, (pointsOf.get(l.user_id) ?? 0) + l.points)
  const earned = people.map((p) => ({ id: p.id, path: p.path, points: pointsOf.get(p.id) ?? 0 }))
  const T = threshold
  const bands = [
    earned.filter((e) => e.points <= 0).length,
    ...(T > 1 ? [earned.filter((e) => e.points >= 1 && e.points <= T - 1).length] : []),
    earned.filter((e) => e.points >= T && e.points <= 2 * T - 1).length,
    earned.filter((e) => e.points >= 2 * T).length,
  ]
  const byType: Record<string, { sessions: number; attendance: number }> = {}
  for (const a of acts) {
    byType[a.type] ??= { sessions: 0, attendance: 0 }
    byType[a.type].sessions++
    byType[a.type].attendance += a.attendance
  }
  return {
    people: people.length,
    exams: examRows.map(({ invitedUsers: _i, tookIds: _t, ...e }) => e).sort((a, b) => a.examId - b.examId),
    examTotals: {
      exams: examRows.length,
      invited: examRows.reduce((s, e) => s + e.invited, 0),
      submitted: examRows.reduce((s, e) => s + e.submitted, 0),
      missed: examRows.reduce((s, e) => s + e.missed, 0),
      passed: examRows.reduce((s, e) => s + e.passed, 0),
    },
    tasks: {
      assigned: tasks.length,
      done: tasks.filter((x) => x.outcome !== 'not_done').length,
      late: tasks.filter((x) => x.outcome === 'late').length,
      notDone: tasks.filter((x) => x.outcome === 'not_done').length,
    },
    activities: { sessions: acts.length, attendance: acts.reduce((s, a) => s + a.attendance, 0), byType },
    units: unitRows,
    bands,
    below: earned.filter((e) => e.points < T).length,
    lowScorers: earned
      .filter((e) => e.points < T)
      .sort((a, b) => a.points - b.points || a.path.localeCompare(b.path) || a.id - b.id)
      .map((e) => ({ userId: e.id, points: e.points })),
  }
}

/** The stored figures in the brute force's shape. */
function asBrute(f: any) {
  return {
    people: f.people,
    exams: [...f.exams]
      .sort((a: any, b: any) => a.examId - b.examId)
      .map((e: any) => ({
        examId: e.examId,
        invited: e.invited,
        submitted: e.submitted,
        missed: e.missed,
        missedIds: e.missedPeople.map((p: any) => p.userId).sort((a: number, b: number) => a - b),
        avgScore: e.avgScore,
        passed: e.passed,
      })),
    examTotals: {
      exams: f.examTotals.exams,
      invited: f.examTotals.invited,
      submitted: f.examTotals.submitted,
      missed: f.examTotals.missed,
      passed: f.examTotals.passed,
    },
    tasks: { assigned: f.tasks.assigned, done: f.tasks.done, late: f.tasks.late, notDone: f.tasks.notDone },
    activities: {
      sessions: f.activities.sessions,
      attendance: f.activities.attendance,
      byType: Object.fromEntries(
        f.activities.byType
          .filter((x: any) => x.sessions > 0)
          .map((x: any) => [x.type, { sessions: x.sessions, attendance: x.attendance }]),
      ),
    },
    units: [...f.units]
      .sort((a: any, b: any) => a.orgId - b.orgId)
      .map((u: any) => ({
        orgId: u.orgId,
        people: u.people,
        sessions: u.sessions,
        attendance: u.attendance,
        perCapita: u.perCapita,
        invited: u.invited,
        submitted: u.submitted,
        tasks: u.tasks,
        tasksDone: u.tasksDone,
        rank: u.rank,
      })),
    bands: f.points.bands.map((b: any) => b.count),
    below: f.points.below,
    lowScorers: f.lowScorers?.map((p: any) => ({ userId: p.userId, points: p.points })),
  }
}

function expectSameFigures(stored: any, brute: Awaited<ReturnType<typeof bruteForce>>, withList: boolean) {
  const mine = asBrute(stored)
  const expected = {
    ...brute,
    units: [...brute.units].sort((a, b) => a.orgId - b.orgId),
    lowScorers: withList ? brute.lowScorers : undefined,
  }
  expect(mine).toEqual(expected)
}

// ───────────────────────────── seed ─────────────────────────────

beforeAll(async () => {
  t = await createTestContext({ clock })
  admin = await t.login(DEMO_ADMIN.username)
  const root = await t.db.selectFrom('orgs').select(['id', 'path']).where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
  const mkOrg = async (key: string, name: string, parentId: number, kind: string) => {
    const o = await ok('post', '/api/orgs', admin, { name, parentId, kind })
    const row = await t.db.selectFrom('orgs').select('path').where('id', '=', o.id).executeTakeFirstOrThrow()
    org[key] = { id: o.id, name, path: row.path }
  }
  await mkOrg('U', '通报测试党委', root.id, 'unit')
  await mkOrg('B1', '通报测试第一支部', org.U.id, 'branch')
  await mkOrg('B2', '通报测试第二支部', org.U.id, 'branch')
  await mkOrg('B3', '通报测试第三支部', org.U.id, 'branch') // no members: ranked last, no per-capita figure
  await mkOrg('X', '通报无关单位', root.id, 'unit')
  const make = async (key: string, orgKey: string, role: string) => {
    const u = await ok('post', '/api/users', admin, {
      username: `tb_${key}_${Date.now().toString(36)}`,
      name: `通报${key}`,
      password: PASSWORD,
      orgId: org[orgKey].id,
      role,
    })
    uid[key] = u.id
    username[key] = u.username
    return u as { id: number; username: string }
  }
  for (const [key, orgKey] of [
    ['secU', 'U'],
    ['secB1', 'B1'],
    ['secX', 'X'],
  ] as const) {
    const u = await make(key, orgKey, 'secretary')
    tok[key] = await t.login(u.username, PASSWORD)
  }
  const counts: Record<string, number> = { U: 2, B1: int(5, 7), B2: int(4, 6), X: 3 }
  for (const [orgKey, n] of Object.entries(counts)) {
    members[orgKey] = []
    for (let i = 0; i < n; i++) members[orgKey].push(await make(`${orgKey}m${i}`, orgKey, 'member'))
  }
  const m = members.U.concat(members.B1, members.B2)
  tok.member = await t.login(members.B1[0].username, PASSWORD)

  // ── exams: three close inside the week (one only for X), one after it ──
  const exam = async (title: string, audience: number[], opens: string, closes: string) =>
    (
      await ok('post', '/api/exams', admin, {
        title,
        opensAt: bj(opens).toISOString(),
        closesAt: bj(closes).toISOString(),
        durationMinutes: 30,
        audienceOrgIds: audience,
        passScore: 50,
        maxAttempts: 2,
        shuffleQuestions: false,
        shuffleOptions: false,
        releaseResults: 'immediately',
        paper: { rules: [{ type: 'judge', count: 2, scoreEach: 50 }] },
      })
    ).id as number
  const e1 = await exam('通报集中测试一', [org.U.id], '2026-12-01T09:00:00', '2026-12-01T12:00:00')
  const e2 = await exam('通报集中测试二', [org.B1.id], '2026-12-03T09:00:00', '2026-12-04T18:00:00')
  const e3 = await exam('通报后续测试', [org.U.id], '2026-12-07T09:00:00', '2026-12-08T18:00:00')
  const e4 = await exam('外单位集中测试', [org.X.id], '2026-12-02T09:00:00', '2026-12-02T18:00:00')
  const take = async (examId: number, who: { username: string }, submit: boolean) => {
    const token = await t.login(who.username, PASSWORD)
    const a = await ok('post', `/api/exams/${examId}/attempts`, token, {})
    for (const q of a.questions) await ok('put', `/api/attempts/${a.attemptId}/answers/${q.id}`, token, { answer: rand() < 0.5 })
    if (submit) await ok('post', `/api/attempts/${a.attemptId}/submit`, token)
  }
  clock.set(bj('2026-12-01T10:00:00'))
  const takers1 = pick(m, Math.ceil(m.length * 0.7))
  for (const [i, who] of takers1.entries()) await take(e1, who, i !== 0) // the first starts but never submits: she missed it
  clock.set(bj('2026-12-02T10:00:00'))
  for (const who of pick(members.X, 2)) await take(e4, who, true)
  clock.set(bj('2026-12-03T10:00:00'))
  for (const who of pick(members.B1, int(2, members.B1.length))) await take(e2, who, true)
  clock.set(bj('2026-12-07T10:00:00'))
  await take(e3, m[0], true) // after the week: not in it
  clock.set(bj('2026-12-01T11:00:00'))

  // ── activities: in the week in every unit, and some outside it ──
  const types = ['lecture', 'theme_day', 'seminar', 'tutorial', 'screening', 'other']
  const scopes = ['U', 'B1', 'B2', 'B3', 'X']
  const days = ['2026-11-27', '2026-11-30', '2026-12-01', '2026-12-03', '2026-12-06', '2026-12-07']
  for (let i = 0; i < 16; i++) {
    const orgKey = scopes[int(0, scopes.length - 1)]
    const a = await ok('post', '/api/activities', admin, {
      orgId: org[orgKey].id,
      type: types[int(0, types.length - 1)],
      title: `通报活动${i}`,
      startsAt: bj(`${days[int(0, days.length - 1)]}T${String(int(8, 22)).padStart(2, '0')}:30:00`).toISOString(),
      guests: int(0, 3),
    })
    const pool = orgKey === 'X' ? members.X : orgKey === 'U' ? m : (members[orgKey] ?? [])
    const who = pick(pool, int(0, pool.length))
    if (who.length) await ok('post', `/api/activities/${a.id}/participants`, admin, { userIds: who.map((p) => p.id) })
  }

  // ── tasks: due in the week (some done on time, late or not at all) and after it ──
  clock.set(bj('2026-11-30T09:00:00'))
  const taskIds: number[] = []
  for (const [i, due] of ['2026-12-02T18:00:00', '2026-12-05T18:00:00', '2026-12-06T23:00:00', '2026-12-09T18:00:00'].entries())
    taskIds.push(
      (
        await ok('post', '/api/tasks', admin, {
          title: `通报任务${i}`,
          dueAt: bj(due).toISOString(),
          orgIds: pick([org.U.id, org.B1.id, org.B2.id, org.B3.id, org.X.id], int(2, 5)),
        })
      ).id,
    )
  const sent = await t.db.selectFrom('campaign_task_orgs').select(['task_id', 'org_id']).where('task_id', 'in', taskIds).execute()
  for (const s of sent) {
    const r = rand()
    if (r < 0.3 || s.org_id === org.X.id) continue
    clock.set(r < 0.65 ? bj('2026-12-01T15:00:00') : bj('2026-12-06T23:30:00'))
    await ok('post', `/api/tasks/${s.task_id}/done`, tok.secU, { orgId: s.org_id })
  }

  // ── study points: random days around the week ──
  const ledgerDays = ['2026-11-28', '2026-11-30', '2026-12-02', '2026-12-04', '2026-12-06', '2026-12-07']
  let k = 0
  for (const p of [...m, ...members.X]) {
    const rows = int(0, 4)
    for (let i = 0; i < rows; i++) {
      const row = await t.db.selectFrom('users').select('org_id').where('id', '=', p.id).executeTakeFirstOrThrow()
      await t.db
        .insertInto('point_ledger')
        .values({
          user_id: p.id,
          org_id: row.org_id,
          rule_code: 'article',
          rule_version: 1,
          points: int(1, 8),
          day: ledgerDays[int(0, ledgerDays.length - 1)],
          idem_key: `bulletins-test:${k++}`,
          created_at: bj('2026-12-01T12:00:00'),
        })
        .execute()
    }
  }
}, 240_000)

afterAll(async () => {
  await t?.close()
})

// ───────────────────────────── tests ─────────────────────────────

describe('notices of organised work', () => {
  it('a task list issued reaches the secretaries of each target org once (the nearest above when it has none)', async () => {
    // Tasks were issued in the seed; B2 and B3 have no secretary of their own: secU handles them.
    const tasks = await t.db.selectFrom('campaign_tasks').select('id').where('title', 'like', '通报任务%').execute()
    const targets = await t.db
      .selectFrom('campaign_task_orgs')
      .select(['task_id', 'org_id'])
      .where(
        'task_id',
        'in',
        tasks.map((x) => x.id),
      )
      .execute()
    const expectFor = (orgIds: number[]) =>
      tasks.filter((x) => targets.some((o) => o.task_id === x.id && orgIds.includes(o.org_id))).map((x) => `task:${x.id}:issued`)
    expect(await kindsOf(uid.secU, 'task_issued')).toEqual(expectFor([org.U.id, org.B2.id, org.B3.id]))
    expect(await kindsOf(uid.secB1, 'task_issued')).toEqual(expectFor([org.B1.id]))
    expect(await kindsOf(uid.secX, 'task_issued')).toEqual(expectFor([org.X.id]))
    expect(await kindsOf(members.B1[0].id, 'task_issued')).toEqual([])
  })
})

describe('the 通报 of a week', () => {
  let first: { sent: number }
  it('members and secretaries may not run it or edit its wording', async () => {
    expect((await call('post', '/api/bulletins/run', tok.member, { period: 'week' })).status).toBe(403)
    expect((await call('post', '/api/bulletins/run', tok.secU, { period: 'week' })).status).toBe(403)
    expect((await call('get', '/api/bulletins/template', tok.secU)).status).toBe(403)
    expect((await call('put', '/api/bulletins/template', tok.secU, { title: '{单位}', body: '{期间}' })).status).toBe(403)
    expect((await call('get', '/api/bulletins', tok.member)).status).toBe(403)
    expect(await t.db.selectFrom('circulars').select('id').execute()).toEqual([])
  })

  it('bad input is a 400 naming the field', async () => {
    const bad = await call('post', '/api/bulletins/run', admin, { period: 'year' })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('period')
    const zero = await call('post', '/api/bulletins/run', admin, { period: 'week', threshold: 0 })
    expect(zero.status).toBe(400)
    expect(JSON.stringify(zero.body)).toContain('threshold')
  })

  it('runs on demand for the last complete week: one 通报 per secretary and admin, as a notification', async () => {
    clock.set(bj('2026-12-07T08:30:00'))
    first = await ok('post', '/api/bulletins/run', admin, { period: 'week', threshold: 7 })
    expect(first).toEqual({ sent: await recipientCount(), period: 'week', periodStart: '2026-11-30', periodEnd: '2026-12-06' })
    const mine = await circularOf(uid.secU, 'week')
    expect(mine).toMatchObject({ period_start: '2026-11-30', period_end: '2026-12-07', scope_name: '通报测试党委', includes_list: false })
    const notes = (await ok('get', '/api/notifications', tok.secU)) as { kind: string; link: string; title: string }[]
    const bulletin = notes.filter((n) => n.kind === 'bulletin')
    expect(bulletin).toHaveLength(1)
    expect(bulletin[0].link).toBe(`/console/bulletins?id=${mine!.id}`)
    expect(bulletin[0].title).toBe('通报测试党委2026年11月30日至12月6日组织工作通报')
    const list = await ok('get', '/api/bulletins', tok.secU)
    expect(list).toEqual([
      expect.objectContaining({
        id: mine!.id,
        period: 'week',
        periodStart: '2026-11-30',
        periodEnd: '2026-12-06',
        label: '2026年11月30日至12月6日',
      }),
    ])
    expect(await kindsOf(members.B1[0].id, 'bulletin')).toEqual([])
  })

  it("a secretary's figures equal a brute-force count over her subtree", async () => {
    const units = [org.B1, org.B2, org.B3]
    const brute = await bruteForce(org.U.path, units, WEEK, 7)
    // The seed must exercise what is checked: exams with people missing, late and undone tasks, activities, several bands.
    expect(brute.examTotals.exams).toBe(2)
    expect(brute.examTotals.missed).toBeGreaterThan(0)
    expect(brute.tasks.assigned).toBeGreaterThan(0)
    expect(brute.activities.sessions).toBeGreaterThan(0)
    expect(brute.bands.filter((n) => n > 0).length).toBeGreaterThan(1)
    expect(brute.units.find((u) => u.orgId === org.B3.id)).toMatchObject({ people: 0, perCapita: null, rank: null })
    expectSameFigures((await circularOf(uid.secU, 'week'))!.figures, brute, false)
  })

  it('a branch secretary gets her branch only; the admin gets the whole department', async () => {
    expectSameFigures((await circularOf(uid.secB1, 'week'))!.figures, await bruteForce(org.B1.path, [org.B1], WEEK, 7), false)
    const root = await t.db.selectFrom('orgs').select(['id', 'path']).where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
    const children = await t.db.selectFrom('orgs').select(['id', 'path']).where('parent_id', '=', root.id).execute()
    const adminId = (await t.db.selectFrom('users').select('id').where('username', '=', DEMO_ADMIN.username).executeTakeFirstOrThrow()).id
    const adminFigures = (await circularOf(adminId, 'week'))!.figures as any
    expectSameFigures(adminFigures, await bruteForce(root.path, children, WEEK, 7), false)
    expect(adminFigures.exams.map((e: any) => e.title)).toContain('外单位集中测试')
    const secX = (await circularOf(uid.secX, 'week'))!.figures as any
    expect(secX.exams.map((e: any) => e.title)).toEqual(['外单位集中测试'])
  })

  it('the xlsx says the same, names who missed each exam, and has no list of low scorers', async () => {
    const mine = (await circularOf(uid.secU, 'week'))!
    const res = await download(mine.id, tok.secU)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('spreadsheetml')
    const book = await sheets(res.body as Buffer)
    expect([...book.keys()]).toEqual(['通报', '单位排名', '集中测试', '缺考名单', '任务完成', '活动开展', '学习积分分布'])
    const f = mine.figures as any
    const overview = new Map(book.get('通报')!.map((r) => [r[0], r[1]]))
    expect(overview.get('单位')).toBe('通报测试党委')
    expect(overview.get('参考人次')).toBe(f.examTotals.submitted)
    expect(overview.get('缺考人次')).toBe(f.examTotals.missed)
    expect(overview.get('活动人次')).toBe(f.activities.attendance)
    expect(overview.get('正文')).toContain(`参考${f.examTotals.submitted}人次`)
    const missedIds: number[] = f.exams.flatMap((e: any) => e.missedPeople.map((p: any) => p.userId))
    const nameById = new Map(
      (await t.db.selectFrom('users').select(['id', 'name']).where('id', 'in', missedIds).execute()).map((u) => [u.id, u.name]),
    )
    const missedRows = book
      .get('缺考名单')!
      .slice(1)
      .map((r) => [r[0], r[1]])
    expect(missedRows).toEqual(f.exams.flatMap((e: any) => e.missedPeople.map((p: any) => [e.title, nameById.get(p.userId)])))
    expect(missedRows).toHaveLength(f.examTotals.missed)
    const ranking = book.get('单位排名')!.slice(1)
    expect(ranking.map((r) => r[1])).toEqual(f.units.map((u: any) => u.name))
    expect(book.get('学习积分分布')!.slice(1)).toEqual(f.points.bands.map((b: any) => [b.label, b.count]))
    const audits = await t.db.selectFrom('audit_log').select('id').where('action', '=', 'circular.individual_list').execute()
    expect(audits).toEqual([])
    expect(JSON.stringify(f)).not.toContain('lowScorers')
  })

  it("nobody downloads another's 通报: another secretary, the admin and a member are refused", async () => {
    const mine = (await circularOf(uid.secU, 'week'))!
    expect((await download(mine.id, tok.secX)).status).toBe(404)
    expect((await download(mine.id, tok.secB1)).status).toBe(404) // even one inside her subtree
    expect((await download(mine.id, admin)).status).toBe(404)
    expect((await download(mine.id, tok.member)).status).toBe(403)
    expect((await download(2147483647, tok.secU)).status).toBe(404)
    const theirs = (await ok('get', '/api/bulletins', tok.secX)) as { id: number }[]
    expect(theirs.map((c) => c.id)).not.toContain(mine.id)
  })

  it('running again sends nothing new; the schedule after the manual run sends nothing either', async () => {
    expect(await ok('post', '/api/bulletins/run', admin, { period: 'week' })).toMatchObject({ sent: 0, periodStart: '2026-11-30' })
    expect(await kindsOf(uid.secU, 'bulletin')).toEqual(['bulletin:week:2026-11-30'])
    const runs = await t.db.selectFrom('audit_log').select('details').where('action', '=', 'circular.run').orderBy('id').execute()
    expect(runs.map((r) => (r.details as any).sent)).toEqual([first.sent, 0])
  })

  it('a flood of downloads is cut off per person at 30 a minute; others still download theirs', async () => {
    // Each download builds a workbook: the per-person limit keeps one account from spending the server on it.
    const own = (await circularOf(uid.secX, 'week'))!
    const statuses: number[] = []
    for (let i = 0; i < 31; i++) statuses.push((await download(own.id, tok.secX)).status)
    expect(statuses.at(-1)).toBe(429)
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(29) // one earlier refusal above may count
    expect(new Set(statuses)).toEqual(new Set([200, 429]))
    expect((await download((await circularOf(uid.secU, 'week'))!.id, tok.secU)).status).toBe(200)
  })
})

describe('the wording', () => {
  it('an unknown placeholder is refused by name; a good template is used by the next 通报', async () => {
    const before = await ok('get', '/api/bulletins/template', admin)
    expect(before.custom).toBe(false)
    expect(before.placeholders.map((p: any) => p.name)).toContain('{考试参与率}')
    const bad = await call('put', '/api/bulletins/template', admin, { title: '{单位}通报', body: '参考率{考试参预率}，{单位}，{未知}' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('{考试参预率}')
    expect(bad.body.error.message).toContain('{未知}')
    expect(bad.body.error.details).toEqual([{ field: 'body', message: '未知占位符：{考试参预率}、{未知}' }])
    expect((await ok('get', '/api/bulletins/template', admin)).custom).toBe(false)
    const saved = await ok('put', '/api/bulletins/template', admin, {
      title: '{单位}{期间}工作通报',
      body: '{期间}参考率{考试参与率}，缺考{缺考人次}人次，任务完成率{任务完成率}。积分分布：{积分分布}。',
      monthThreshold: 12,
    })
    expect(saved).toMatchObject({ custom: true, monthThreshold: 12, weekThreshold: 10 })
    const audit = await t.db.selectFrom('audit_log').select('details').where('action', '=', 'circular.template').execute()
    expect(audit).toHaveLength(1)
  })
})

describe('individual study-points lists', () => {
  it('appear only when the deployment switched them on, and each one is audited', async () => {
    await ok('patch', '/api/policy', admin, { secretaryIndividualLists: true })
    const run = await ok('post', '/api/bulletins/run', admin, { period: 'month' })
    expect(run).toMatchObject({ sent: await recipientCount(), periodStart: '2026-11-01', periodEnd: '2026-11-30' })
    const mine = (await circularOf(uid.secU, 'month'))!
    expect(mine.includes_list).toBe(true)
    expect(mine.title).toBe('通报测试党委2026年11月工作通报')
    const f = mine.figures as any
    expect(mine.body).toContain(`缺考${f.examTotals.missed}人次`)
    expectSameFigures(f, await bruteForce(org.U.path, [org.B1, org.B2, org.B3], MONTH, 12), true)
    expect(f.lowScorers.length).toBeGreaterThan(0)
    const audits = await t.db
      .selectFrom('audit_log')
      .select(['target_id', 'details'])
      .where('action', '=', 'circular.individual_list')
      .execute()
    expect(audits).toHaveLength(run.sent)
    expect(audits.map((a) => Number(a.target_id))).toContain(mine.id)
    const book = await sheets((await download(mine.id, tok.secU)).body as Buffer)
    const list = book.get('积分低于积分线名单')!
    const names = new Map(
      (
        await t.db
          .selectFrom('users')
          .select(['id', 'name'])
          .where(
            'id',
            'in',
            f.lowScorers.map((p: any) => p.userId),
          )
          .execute()
      ).map((u) => [u.id, u.name]),
    )
    expect(list.slice(1, 1 + f.lowScorers.length)).toEqual(f.lowScorers.map((p: any) => [names.get(p.userId), p.orgName, p.points]))
    // The week's 通报, made while the switch was off, still has no list.
    expect(
      (await sheets((await download((await circularOf(uid.secU, 'week'))!.id, tok.secU)).body as Buffer)).has('积分低于积分线名单'),
    ).toBe(false)
    await ok('patch', '/api/policy', admin, { secretaryIndividualLists: false })
  })
})

describe('the schedule', () => {
  it('before Monday 08:00 nothing; at 08:00 two nodes send the previous week once between them', async () => {
    await t.withSecondNode(async (nodeB) => {
      clock.set(bj('2026-12-07T09:00:00')) // the week and month already sent by hand
      expect((await runCircularJob(t.app.deps)).circulars).toBe(0)
      clock.set(bj('2026-12-14T07:59:00'))
      const early = await Promise.all([runCircularJob(t.app.deps), runCircularJob(nodeB.deps)])
      expect(early.map((r) => r.circulars)).toEqual([0, 0])
      clock.set(bj('2026-12-14T08:00:00'))
      const [a, b] = await Promise.all([runCircularJob(t.app.deps), runCircularJob(nodeB.deps)])
      expect(a.circulars + b.circulars).toBe(await recipientCount())
      const week = await t.db.selectFrom('circulars').select(['recipient_id']).where('period_start', '=', '2026-12-07').execute()
      expect(week).toHaveLength(await recipientCount())
      expect(new Set(week.map((r) => r.recipient_id)).size).toBe(week.length)
      const dupes = await t.db
        .selectFrom('notifications')
        .select(['user_id', 'cause', sql<number>`count(*)::int`.as('n')])
        .groupBy(['user_id', 'cause'])
        .having(sql`count(*)`, '>', 1)
        .execute()
      expect(dupes).toEqual([])
      expect(await kindsOf(uid.secU, 'bulletin')).toEqual([
        'bulletin:week:2026-11-30',
        'bulletin:month:2026-11-01',
        'bulletin:week:2026-12-07',
      ])
      clock.set(bj('2026-12-14T08:30:00'))
      expect((await runCircularJob(nodeB.deps)).circulars).toBe(0)
      // The 1st of the month at 08:00: November's was sent by hand, December's goes out now.
      clock.set(bj('2027-01-01T08:00:00'))
      expect((await runCircularJob(nodeB.deps)).circulars).toBe(await recipientCount())
      expect(await kindsOf(uid.secB1, 'bulletin')).toContain('bulletin:month:2026-12-01')
    })
  })
})

describe('scheduled notices of organised work', () => {
  it('a task overdue reaches whoever handles it there once, not before its due time, on two nodes', async () => {
    clock.set(bj('2027-01-04T09:00:00'))
    await signInAgain()
    const { id } = await ok('post', '/api/tasks', admin, {
      title: '逾期提醒任务',
      dueAt: bj('2027-01-04T12:00:00').toISOString(),
      orgIds: [org.B1.id, org.B2.id, org.X.id],
    })
    await ok('post', `/api/tasks/${id}/done`, tok.secX, { orgId: org.X.id })
    clock.set(bj('2027-01-04T11:59:00'))
    await runCircularJob(t.app.deps)
    const overdue = (userId: number) => kindsOf(userId, 'task_overdue').then((c) => c.filter((x) => x.startsWith(`task:${id}:`)))
    expect(await overdue(uid.secB1)).toEqual([])
    clock.set(bj('2027-01-04T12:01:00'))
    await t.withSecondNode(async (nodeB) => {
      await Promise.all([runCircularJob(t.app.deps), runCircularJob(nodeB.deps)])
      await runCircularJob(nodeB.deps)
    })
    expect(await overdue(uid.secB1)).toEqual([`task:${id}:org:${org.B1.id}:overdue`])
    expect(await overdue(uid.secU)).toEqual([`task:${id}:org:${org.B2.id}:overdue`]) // B2 has no secretary of its own
    expect(await overdue(uid.secX)).toEqual([]) // done in time
    expect(await overdue(members.B1[0].id)).toEqual([])
  })

  it('a contest opening reaches the members of its org once, not its host nor other units', async () => {
    clock.set(bj('2027-01-05T15:00:00'))
    await signInAgain()
    const contest = await ok('post', '/api/contests', tok.secB1, {
      title: '通报测试竞答',
      orgId: org.B1.id,
      questionIds: [],
      secondsPerQuestion: 20,
      draw: { count: 3 },
    })
    await t.withSecondNode(async (nodeB) => {
      const [a, b] = await Promise.all([runCircularJob(t.app.deps), runCircularJob(nodeB.deps)])
      expect(a.notices + b.notices).toBe(members.B1.length)
      expect((await runCircularJob(t.app.deps)).notices).toBe(0)
    })
    for (const p of members.B1) expect(await kindsOf(p.id, 'contest_starting')).toEqual([`contest:${contest.id}:starting`])
    const note = await t.db
      .selectFrom('notifications')
      .select('link')
      .where('cause', '=', `contest:${contest.id}:starting`)
      .executeTakeFirstOrThrow()
    expect(note.link).toBe(`/contest?pin=${contest.pin}`)
    expect(await kindsOf(uid.secB1, 'contest_starting')).toEqual([])
    expect(await kindsOf(members.B2[0].id, 'contest_starting')).toEqual([])
    // Hours later a stale lobby is not announced to anyone new.
    clock.set(bj('2027-01-05T18:00:00'))
    expect((await runCircularJob(t.app.deps)).notices).toBe(0)
  })
})

describe('reminders limited to organised work (国办函〔2026〕12号)', () => {
  it('with the switch on every kind that exists is organised work and is sent; anything else is held back until it is off', async () => {
    await signInAgain()
    const policy = await ok('get', '/api/policy', admin)
    expect(policy.remindersOrganisedOnly).toBe(true)
    for (const kind of NOTIFICATION_KINDS) expect(await reminderAllowed(t.db, workOf(kind)), kind).toBe(true)
    // There is no kind about study habits (the type allows none); a future one would map to its
    // own work, which is not on the organised list, and notify() would send nothing while this is on.
    expect(await reminderAllowed(t.db, workOf('study_nudge'))).toBe(false)
    await ok('patch', '/api/policy', admin, { remindersOrganisedOnly: false })
    expect(await reminderAllowed(t.db, workOf('study_nudge'))).toBe(true)
    await ok('patch', '/api/policy', admin, { remindersOrganisedOnly: true })
    expect(await reminderAllowed(t.db, workOf('study_nudge'))).toBe(false)
  })
})

// Last: the runs below use up the admin's allowance for this minute.
describe('running the 通报 over and over', () => {
  it('a flood of runs is cut off at 10 a minute per admin, and still nobody receives a 通报 twice', async () => {
    // Each run reads every unit's figures: the limit keeps one admin account from spending the database on it.
    const run = async () => (await call('post', '/api/bulletins/run', admin, { period: 'week' })).status
    // The first run may send the current last week's 通报 (the clock has moved on); then nothing more.
    const statuses = [await run()]
    const received = await kindsOf(uid.secU, 'bulletin')
    while (statuses.length < 25 && statuses.at(-1) !== 429) statuses.push(await run())
    expect(statuses.at(-1)).toBe(429)
    // At most ten a minute: even if the minute turned during the loop, 25 were never all let through.
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true)
    expect(await kindsOf(uid.secU, 'bulletin')).toEqual(received)
    expect(new Set(received).size).toBe(received.length)
  })
})
