// The campaign ledger (五学 台账) through its public API: activities and their scope, sign-in codes,
// tallies checked against a brute-force count of random data, task lists with overdue items, the
// 台账 xlsx and the campaign report whose figures must equal the tally's (also inside the .docx).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { seededRandom } from '../server/seed/demo-names.js'
import { recordActivity, ACTIVITY_TYPES, type ActivityType } from '../server/modules/campaign/index.js'

// 09:00 in Shanghai on 2026-12-01.
const clock = new ManualClock(new Date('2026-12-01T01:00:00Z'))
let t: TestContext
let admin: string
const tok: Record<string, string> = {}
const org: Record<string, { id: number; name: string }> = {}
const user: Record<string, number> = {}
const PASSWORD = 'Harbor-Lamp-2026'
const min = (n: number) => n * 60_000
const iso = (ms: number) => new Date(clock.now().getTime() + ms).toISOString()

async function call(method: 'get' | 'post' | 'patch' | 'delete', url: string, token: string, body?: object) {
  const req = t.http()[method](url).set(bearer(token))
  return body === undefined ? req : req.send(body)
}
async function ok(method: 'get' | 'post' | 'patch' | 'delete', url: string, token: string, body?: object) {
  const res = await call(method, url, token, body)
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

async function makeOrg(key: string, name: string, parentId: number) {
  org[key] = await ok('post', '/api/orgs', admin, { name, parentId, kind: 'branch' })
}
async function makeUser(key: string, orgKey: string, role: 'member' | 'secretary') {
  const created = await ok('post', '/api/users', admin, {
    username: `cp_${key}_${Date.now().toString(36)}`,
    name: `测试${key}`,
    password: PASSWORD,
    orgId: org[orgKey].id,
    role,
  })
  user[key] = created.id
  tok[key] = await t.login(created.username, PASSWORD)
}

beforeAll(async () => {
  t = await createTestContext({ clock })
  admin = await t.login(DEMO_ADMIN.username)
  const root = await t.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
  await makeOrg('R', '台账测试党委', root.id)
  await makeOrg('A', '台账测试一支部', org.R.id)
  await makeOrg('A1', '台账测试一支部第一小组', org.A.id)
  await makeOrg('B', '台账测试二支部', org.R.id)
  await makeUser('secA', 'A', 'secretary')
  await makeUser('secB', 'B', 'secretary')
  for (const k of ['m1', 'm2', 'm3']) await makeUser(k, 'A1', 'member')
  await makeUser('mB', 'B', 'member')
})
afterAll(async () => {
  await t?.close()
})

describe('activities', () => {
  let activityId: number

  it('a secretary records an activity in her subtree, never outside it; a member records none', async () => {
    const body = {
      orgId: org.A1.id,
      type: 'theme_day',
      title: '学党史回望来时路主题党日',
      startsAt: iso(min(5)),
      endsAt: iso(min(95)),
      place: '三楼会议室',
      speaker: '王新明',
      guests: 4,
    }
    const res = await call('post', '/api/activities', tok.secA, body)
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ orgId: org.A1.id, type: 'theme_day', title: body.title, attendance: 4 })
    activityId = res.body.id
    expect((await call('post', '/api/activities', tok.secA, { ...body, orgId: org.B.id })).status).toBe(403)
    expect((await call('post', '/api/activities', tok.m1, body)).status).toBe(403)
    expect(
      (await call('post', '/api/activities', admin, { ...body, orgId: org.B.id, type: 'lecture', title: '党组集中宣讲' })).status,
    ).toBe(201)
  })

  it('rejects bad input with 4xx naming the field', async () => {
    const base = { orgId: org.A1.id, type: 'seminar', title: '研讨', startsAt: iso(0) }
    const badType = await call('post', '/api/activities', tok.secA, { ...base, type: 'party' })
    expect(badType.status).toBe(400)
    const backwards = await call('post', '/api/activities', tok.secA, { ...base, endsAt: iso(-min(10)) })
    expect(backwards.status).toBe(422)
    expect(backwards.body.error.details[0].field).toBe('endsAt')
    expect((await call('post', '/api/activities', tok.secA, { ...base, guests: -1 })).status).toBe(400)
    expect((await call('post', '/api/activities', admin, { ...base, orgId: 999999 })).status).toBe(422)
    expect((await call('get', '/api/activities?from=2026-02-30', tok.secA)).status).toBe(400)
  })

  it('adds participants from the roster once each; people out of scope are refused', async () => {
    expect(await ok('post', `/api/activities/${activityId}/participants`, tok.secA, { userIds: [user.m1, user.m2, user.m1] })).toEqual({
      attendance: 6,
    })
    expect(await ok('post', `/api/activities/${activityId}/participants`, tok.secA, { userIds: [user.m2] })).toEqual({ attendance: 6 })
    expect((await call('post', `/api/activities/${activityId}/participants`, tok.secA, { userIds: [user.mB] })).status).toBe(403)
    expect((await call('post', `/api/activities/${activityId}/participants`, tok.secB, { userIds: [user.mB] })).status).toBe(403)
    expect((await call('post', `/api/activities/${activityId}/participants`, tok.m1, { userIds: [user.m1] })).status).toBe(403)
    expect((await call('post', `/api/activities/${activityId}/participants`, tok.secA, { userIds: [2147483000] })).status).toBe(422)
    expect((await call('post', '/api/activities/2147483000/participants', tok.secA, { userIds: [user.m1] })).status).toBe(404)
  })

  it("lists only the caller's subtree", async () => {
    const mine = await ok('get', '/api/activities', tok.secA)
    expect(mine.items.map((a: { orgId: number }) => a.orgId)).toEqual([org.A1.id])
    expect(mine.total).toBe(1)
    expect((await call('get', `/api/activities?orgId=${org.B.id}`, tok.secA)).status).toBe(403)
    expect((await call('get', '/api/activities', tok.m1)).status).toBe(403)
    const all = await ok('get', `/api/activities?orgId=${org.R.id}&type=lecture`, admin)
    expect(all.items.map((a: { title: string }) => a.title)).toEqual(['党组集中宣讲'])
  })

  it('signs in with a rotating code: repeats harmless, late marked, expired 409, unknown 404, points capped', async () => {
    expect((await call('post', `/api/activities/${activityId}/checkin-code`, tok.secB)).status).toBe(403)
    expect((await call('post', `/api/activities/${activityId}/checkin-code`, tok.m1)).status).toBe(403)
    const first = await ok('post', `/api/activities/${activityId}/checkin-code`, tok.secA)
    expect(first.code).toMatch(/^\d{6}$/)
    expect(first.url).toBe(`/checkin?code=${first.code}`)
    expect(first.qrSvg).toContain('<svg')
    expect(new Date(first.expiresAt).getTime()).toBeGreaterThan(clock.now().getTime())

    const signed = await ok('post', '/api/activities/checkin', tok.m1, { code: first.code })
    expect(signed).toMatchObject({ activityId, late: false, repeated: false, pointsEarned: 1 })
    const again = await ok('post', '/api/activities/checkin', tok.m1, { code: ` ${first.code} ` })
    expect(again).toMatchObject({ activityId, checkedInAt: signed.checkedInAt, repeated: true, pointsEarned: 0 })
    expect((await call('post', '/api/activities/checkin', tok.m1, { code: '000000x' })).status).toBe(404)

    // 16 minutes later the first code has expired; the host's screen shows a new one.
    clock.advance(min(16))
    expect((await call('post', '/api/activities/checkin', tok.m3, { code: first.code })).status).toBe(409)
    const second = await ok('post', `/api/activities/${activityId}/checkin-code`, tok.secA)
    expect(second.code).not.toBe(first.code)
    const late = await ok('post', '/api/activities/checkin', tok.m3, { code: second.code })
    expect(late).toMatchObject({ activityId, late: true, repeated: false })
    // A person of another unit present in the hall may sign in too: the code is the proof.
    await ok('post', '/api/activities/checkin', tok.mB, { code: second.code })

    const people = await ok('get', `/api/activities/${activityId}/participants`, tok.secA)
    expect(people).toHaveLength(4)
    expect(people.filter((p: { checkedInAt: string | null }) => p.checkedInAt)).toHaveLength(3)
    expect(people.find((p: { userId: number }) => p.userId === user.m3).late).toBe(true)
    expect(await ok('get', `/api/activities/${activityId}`, tok.secA)).toMatchObject({
      participants: 4,
      checkedIn: 3,
      guests: 4,
      attendance: 8,
    })
    const ledger = await t.db
      .selectFrom('point_ledger')
      .select('points')
      .where('user_id', '=', user.m1)
      .where('rule_code', '=', 'activity_checkin')
      .execute()
    expect(ledger).toEqual([{ points: 1 }])
  })

  it('edits an activity in scope: guests change its attendance; an end before the start is refused', async () => {
    const a = await ok('post', '/api/activities', tok.secA, {
      orgId: org.A1.id,
      type: 'screening',
      title: '集中观看《榜样5》',
      startsAt: iso(0),
      guests: 10,
    })
    expect(await ok('patch', `/api/activities/${a.id}`, tok.secA, { guests: 25, place: '报告厅' })).toMatchObject({
      guests: 25,
      attendance: 25,
      place: '报告厅',
      title: '集中观看《榜样5》',
    })
    const backwards = await call('patch', `/api/activities/${a.id}`, tok.secA, { endsAt: iso(-min(60)) })
    expect(backwards.status).toBe(422)
    expect(backwards.body.error.details[0].field).toBe('endsAt')
    expect((await call('patch', `/api/activities/${a.id}`, tok.secA, {})).status).toBe(400)
    expect((await call('patch', `/api/activities/${a.id}`, tok.secB, { guests: 1 })).status).toBe(403)
    await ok('delete', `/api/activities/${a.id}`, tok.secA)
  })

  it("holds sign-in to the activity's window: not before an hour ahead, not after it closed", async () => {
    const future = await ok('post', '/api/activities', tok.secA, {
      orgId: org.A1.id,
      type: 'tutorial',
      title: '下周辅导',
      startsAt: iso(min(60 * 24 * 7)),
    })
    const early = await ok('post', `/api/activities/${future.id}/checkin-code`, tok.secA)
    const tooEarly = await call('post', '/api/activities/checkin', tok.m1, { code: early.code })
    expect(tooEarly.status).toBe(409)
    expect(tooEarly.body.error.message).toContain('尚未开始')
    await ok('delete', `/api/activities/${future.id}`, tok.secA)
  })

  it("closes sign-in after the activity's window", async () => {
    const past = await ok('post', '/api/activities', tok.secA, {
      orgId: org.A1.id,
      type: 'seminar',
      title: '上月研讨',
      startsAt: iso(-min(60 * 24 * 3)),
      endsAt: iso(-min(60 * 24 * 3 - 90)),
    })
    expect((await call('post', `/api/activities/${past.id}/checkin-code`, tok.secA)).status).toBe(409)
    await ok('delete', `/api/activities/${past.id}`, tok.secA)
    expect((await call('get', `/api/activities/${past.id}`, tok.secA)).status).toBe(404)
  })

  it('survives a burst of parallel sign-ins: everyone once, the count exact', async () => {
    const { code } = await ok('post', `/api/activities/${activityId}/checkin-code`, tok.secA)
    const answers = await Promise.all(
      [tok.m1, tok.m2, tok.m2, tok.m3, tok.m2].map((token) => ok('post', '/api/activities/checkin', token, { code })),
    )
    expect(answers.filter((a) => !a.repeated).map((a) => a.activityId)).toEqual([activityId]) // m2 signs in once
    expect((await ok('get', `/api/activities/${activityId}`, tok.secA)).checkedIn).toBe(4)
  })

  it('a contest recorded by another module through recordActivity counts in the ledger', async () => {
    const { id } = await t.db.transaction().execute((tx) =>
      recordActivity(tx, {
        orgId: org.B.id,
        type: 'contest',
        title: '现场竞答',
        startsAt: clock.now(),
        createdBy: user.secB,
        participantIds: [user.mB, user.mB, 2147483000],
        guests: 2,
      }),
    )
    expect(await ok('get', `/api/activities/${id}`, admin)).toMatchObject({ type: 'contest', participants: 1, attendance: 3 })
  })
})

describe('tally', () => {
  it('is scoped: a secretary sees her subtree, a member none', async () => {
    const mine = await ok('get', '/api/activities/tally', tok.secA)
    expect(mine.orgId).toBe(org.A.id)
    expect(mine.byOrg.map((o: { orgId: number }) => o.orgId)).toEqual([org.A1.id])
    expect(mine.byType.find((b: { type: string }) => b.type === 'theme_day')).toEqual({ type: 'theme_day', sessions: 1, attendance: 8 })
    expect(mine.sessions).toBe(1)
    expect(mine.attendance).toBe(8)
    expect((await call('get', `/api/activities/tally?orgId=${org.B.id}`, tok.secA)).status).toBe(403)
    expect((await call('get', '/api/activities/tally', tok.m1)).status).toBe(403)
    const all = await ok('get', `/api/activities/tally?orgId=${org.R.id}`, admin)
    expect(all.byOrg.map((o: { name: string }) => o.name)).toEqual(['台账测试一支部', '台账测试二支部'])
    expect(all.byOrg[1]).toMatchObject({ sessions: 2, attendance: 4 + 3 }) // the lecture's 4 guests, the contest's 1 + 2
  })

  it('rolls up random data exactly as a brute-force count does', async () => {
    const rnd = seededRandom(20210301)
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]
    // A fresh tree of depth 3 under its own root.
    const mkOrg = async (name: string, parentId: number) => ok('post', '/api/orgs', admin, { name, parentId, kind: 'branch' })
    const top = await mkOrg('随机党委', org.R.id)
    const tree: { id: number; parent: number | null; path: number[] }[] = [{ id: top.id, parent: null, path: [top.id] }]
    for (let i = 0; i < 3; i++) {
      const c = await mkOrg(`随机支部${i}`, top.id)
      tree.push({ id: c.id, parent: top.id, path: [top.id, c.id] })
      for (let j = 0; j < 2; j++) {
        const g = await mkOrg(`随机小组${i}-${j}`, c.id)
        tree.push({ id: g.id, parent: c.id, path: [top.id, c.id, g.id] })
      }
    }
    const hash = (await t.db.selectFrom('users').select('password_hash').where('id', '=', user.m1).executeTakeFirstOrThrow()).password_hash
    const people = await t.db
      .insertInto('users')
      .values(
        Array.from({ length: 30 }, (_, i) => ({
          username: `rnd_${Date.now().toString(36)}_${i}`,
          name: `随机${i}`,
          password_hash: hash,
          role: 'member' as const,
          org_id: pick(tree).id,
          created_at: new Date(),
          updated_at: new Date(),
        })),
      )
      .returning(['id', 'org_id'])
      .execute()
    const base = new Date('2021-03-01T00:00:00Z').getTime()
    const day = 86_400_000
    const acts: { orgId: number; type: ActivityType; at: number; people: Set<number>; guests: number }[] = []
    await t.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 60; i++) {
        const a = {
          orgId: pick(tree).id,
          type: pick(ACTIVITY_TYPES),
          at: base + Math.floor(rnd() * 120) * day + Math.floor(rnd() * 24) * 3_600_000,
          people: new Set<number>(),
          guests: rnd() < 0.3 ? Math.floor(rnd() * 20) : 0,
        }
        const ids = Array.from({ length: Math.floor(rnd() * 8) }, () => pick(people).id)
        ids.forEach((id) => a.people.add(id))
        acts.push(a)
        await recordActivity(tx, {
          orgId: a.orgId,
          type: a.type,
          title: `随机活动${i}`,
          startsAt: new Date(a.at),
          createdBy: user.secA,
          participantIds: ids,
          guests: a.guests,
        })
      }
    })
    // 知识测试: two exams, attempts by random people; 自学: study points, plus logins that must not count.
    const exams = await t.db
      .insertInto('exams')
      .values(
        [1, 2].map((n) => ({
          title: `随机测试${n}`,
          opens_at: new Date(base),
          closes_at: new Date(base + 200 * day),
          duration_minutes: 30,
          audience_org_ids: JSON.stringify([top.id]),
          pass_score: 60,
          max_attempts: 2,
          shuffle_questions: false,
          shuffle_options: false,
          release_results: 'immediately' as const,
          paper: JSON.stringify({}),
          max_score: 100,
          created_at: new Date(),
          updated_at: new Date(),
        })),
      )
      .returning('id')
      .execute()
    const attempts: { exam: number; user: number; org: number; at: number; submitted: boolean }[] = []
    for (let i = 0; i < 40; i++) {
      const p = pick(people)
      const at = base + Math.floor(rnd() * 120) * day
      attempts.push({ exam: pick(exams).id, user: p.id, org: p.org_id, at, submitted: rnd() < 0.8 })
    }
    const attemptNo = new Map<string, number>()
    await t.db
      .insertInto('attempts')
      .values(
        attempts.map((a) => {
          const key = `${a.exam}:${a.user}`
          attemptNo.set(key, (attemptNo.get(key) ?? 0) + 1)
          return {
            exam_id: a.exam,
            user_id: a.user,
            org_id: a.org,
            attempt_no: attemptNo.get(key)!,
            status: a.submitted ? ('submitted' as const) : ('in_progress' as const),
            started_at: new Date(a.at - 600_000),
            deadline: new Date(a.at + 600_000),
            submitted_at: a.submitted ? new Date(a.at) : null,
            max_score: 100,
            score: a.submitted ? 80 : null,
            paper: JSON.stringify({}),
          }
        }),
      )
      .execute()
    const study: { user: number; org: number; at: number; rule: string }[] = []
    for (let i = 0; i < 80; i++) {
      const p = pick(people)
      study.push({
        user: p.id,
        org: p.org_id,
        at: base + Math.floor(rnd() * 120) * day + Math.floor(rnd() * 24) * 3_600_000,
        rule: pick(['article', 'video', 'daily_quiz', 'login', 'activity_checkin']),
      })
    }
    await t.db
      .insertInto('point_ledger')
      .values(
        study.map((s, i) => ({
          user_id: s.user,
          org_id: s.org,
          rule_code: s.rule,
          rule_version: 1,
          points: 1,
          day: new Date(s.at + 8 * 3_600_000).toISOString().slice(0, 10),
          idem_key: `rnd:${i}`,
          created_at: new Date(s.at),
        })),
      )
      .execute()

    const within = (orgId: number, sub: number) => tree.find((o) => o.id === orgId)!.path.includes(sub)
    const brute = (sub: number, from: number, to: number) => {
      const types: Record<string, { sessions: number; attendance: number }> = {}
      for (const type of [...ACTIVITY_TYPES, 'test', 'self_study']) types[type] = { sessions: 0, attendance: 0 }
      for (const a of acts)
        if (within(a.orgId, sub) && a.at >= from && a.at < to) {
          types[a.type].sessions++
          types[a.type].attendance += a.people.size + a.guests
        }
      const subAttempts = attempts.filter((a) => a.submitted && within(a.org, sub) && a.at >= from && a.at < to)
      types.test = {
        sessions: new Set(subAttempts.map((a) => a.exam)).size,
        attendance: new Set(subAttempts.map((a) => `${a.exam}:${a.user}`)).size,
      }
      const subStudy = study.filter(
        (s) => !['login', 'activity_checkin'].includes(s.rule) && within(s.org, sub) && s.at >= from && s.at < to,
      )
      types.self_study = {
        sessions: 0,
        attendance: new Set(subStudy.map((s) => `${s.user}:${new Date(s.at + 8 * 3_600_000).toISOString().slice(0, 10)}`)).size,
      }
      return types
    }
    for (let round = 0; round < 4; round++) {
      const a = base + Math.floor(rnd() * 60) * day
      const b = a + Math.floor(rnd() * 90) * day
      const sub = round === 0 ? tree[0] : pick(tree.filter((o) => o.path.length < 3))
      const got = await ok(
        'get',
        `/api/activities/tally?orgId=${sub.id}&from=${new Date(a).toISOString()}&to=${new Date(b).toISOString()}`,
        admin,
      )
      const want = brute(sub.id, a, b)
      expect(
        Object.fromEntries(
          got.byType.map((x: { type: string; sessions: number; attendance: number }) => [
            x.type,
            { sessions: x.sessions, attendance: x.attendance },
          ]),
        ),
      ).toEqual(want)
      expect(got.sessions).toBe(Object.values(want).reduce((s, x) => s + x.sessions, 0))
      expect(got.attendance).toBe(Object.values(want).reduce((s, x) => s + x.attendance, 0))
      // Activities by Shanghai week (named by its Monday) and month, as the charts draw them.
      const weeks = new Map<string, { sessions: number; attendance: number }>()
      const months = new Map<string, { sessions: number; attendance: number }>()
      for (const x of acts) {
        if (!within(x.orgId, sub.id) || x.at < a || x.at >= b) continue
        const local = new Date(x.at + 8 * 3_600_000)
        const monday = new Date(local.getTime() - ((local.getUTCDay() + 6) % 7) * day).toISOString().slice(0, 10)
        for (const [map, key] of [
          [weeks, monday],
          [months, local.toISOString().slice(0, 7)],
        ] as const) {
          const f = map.get(key) ?? { sessions: 0, attendance: 0 }
          map.set(key, { sessions: f.sessions + 1, attendance: f.attendance + x.people.size + x.guests })
        }
      }
      expect(got.byWeek).toEqual([...weeks].sort().map(([week, f]) => ({ week, ...f })))
      expect(got.byMonth).toEqual([...months].sort().map(([month, f]) => ({ month, ...f })))
      const children = tree.filter((o) => o.parent === sub.id)
      expect(got.byOrg.map((o: { orgId: number }) => o.orgId)).toEqual(children.map((c) => c.id))
      for (const child of got.byOrg) {
        const w = brute(child.orgId, a, b)
        expect(child.sessions).toBe(Object.values(w).reduce((s, x) => s + x.sessions, 0))
        expect(child.attendance).toBe(Object.values(w).reduce((s, x) => s + x.attendance, 0))
      }
    }
    // The whole period with Shanghai calendar days: `to` includes its day.
    const whole = await ok('get', `/api/activities/tally?orgId=${top.id}&from=2021-03-01&to=2021-06-28`, admin)
    const want = brute(top.id, new Date('2021-02-28T16:00:00Z').getTime(), new Date('2021-06-28T16:00:00Z').getTime())
    expect(whole.sessions).toBe(Object.values(want).reduce((s, x) => s + x.sessions, 0))
    expect((await call('get', `/api/activities/tally?orgId=${top.id}&from=2021-06-01&to=2021-03-01`, admin)).status).toBe(422)

    // The 台账 export: one row per activity, and the summary's total row equals the tally.
    const res = await t
      .http()
      .get(`/api/activities/ledger.xlsx?orgId=${top.id}&from=2021-03-01&to=2021-06-28`)
      .set(bearer(admin))
      .buffer(true)
      .parse(binary)
    expect(res.status).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.body)
    const sheet = wb.getWorksheet('活动台账')!
    expect(sheet.rowCount - 3).toBe(acts.filter((x) => x.at < new Date('2021-06-28T16:00:00Z').getTime()).length)
    const summary = wb.getWorksheet('分类汇总')!
    const last = summary.getRow(summary.rowCount)
    expect([last.getCell(2).value, last.getCell(3).value]).toEqual([whole.sessions, whole.attendance])
  })
})

// supertest's parser hook: the raw body of a download, as one Buffer.
function binary(res: any, cb: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = []
  res.on('data', (c: Buffer) => chunks.push(c))
  res.on('end', () => cb(null, Buffer.concat(chunks)))
}

describe('task lists', () => {
  let taskId: number
  it('only admins issue; each secretary sees and completes her own units; overdue from the clock', async () => {
    const body = {
      title: '组织一次专题研讨',
      detail: '围绕党史专题开展集中研讨',
      dueAt: iso(min(30)),
      orgIds: [org.A1.id, org.B.id],
      weeks: [{ weekOf: '2026-11-30', text: '制定研讨方案' }],
    }
    expect((await call('post', '/api/tasks', tok.secA, body)).status).toBe(403)
    expect((await call('post', '/api/tasks', tok.m1, body)).status).toBe(403)
    expect((await call('post', '/api/tasks', admin, { ...body, orgIds: [999999] })).status).toBe(422)
    const created = await call('post', '/api/tasks', admin, body)
    expect(created.status).toBe(201)
    taskId = created.body.id

    const mine = await ok('get', '/api/tasks', tok.secA)
    const task = mine.find((x: { id: number }) => x.id === taskId)
    expect(task.orgs).toEqual([{ orgId: org.A1.id, name: org.A1.name, status: 'open' }])
    expect(task.weeks).toEqual(body.weeks)
    expect((await call('get', `/api/tasks?orgId=${org.B.id}`, tok.secA)).status).toBe(403)
    expect((await call('get', '/api/tasks', tok.m1)).status).toBe(403)

    expect((await call('post', `/api/tasks/${taskId}/done`, tok.secA, { orgId: org.B.id })).status).toBe(403)
    expect((await call('post', `/api/tasks/${taskId}/done`, tok.m1, { orgId: org.A1.id })).status).toBe(403)
    expect((await call('post', `/api/tasks/${taskId}/done`, tok.secA, { orgId: org.R.id })).status).toBe(404)
    expect((await call('post', '/api/tasks/2147483000/done', tok.secA, { orgId: org.A1.id })).status).toBe(404)
    const activities = await ok('get', '/api/activities', tok.secA)
    const done = await ok('post', `/api/tasks/${taskId}/done`, tok.secA, {
      orgId: org.A1.id,
      note: '已开展',
      activityId: activities.items[0].id,
    })
    expect(done.status).toBe('done')

    clock.advance(min(45))
    const all = (await ok('get', `/api/tasks?orgId=${org.R.id}`, admin)).find((x: { id: number }) => x.id === taskId)
    expect(all.orgs.map((o: { status: string }) => o.status)).toEqual(['done', 'overdue'])
    expect(all.orgs[0]).toMatchObject({ note: '已开展', activityId: activities.items[0].id, doneAt: done.doneAt })
  })
})

describe('the campaign report', () => {
  it("writes the tally's figures into its text and into the Word file", async () => {
    const tally = await ok('get', `/api/activities/tally?orgId=${org.R.id}`, admin)
    const report = await ok('get', `/api/reports/campaign?orgId=${org.R.id}`, admin)
    expect(report.figures.sessions).toBe(tally.sessions)
    expect(report.figures.attendance).toBe(tally.attendance)
    expect(report.figures.byType).toEqual(tally.byType)
    const text = report.sections.map((s: { title: string; text: string }) => `${s.title}\n${s.text}`).join('\n')
    expect(text).toContain(`共开展各类学习教育活动${tally.sessions}场次，参加人员${tally.attendance}人次`)
    for (const unit of tally.byOrg.filter((o: { sessions: number }) => o.sessions > 0))
      expect(text).toContain(`${unit.name}${unit.sessions}场次、${unit.attendance}人次`)
    const themeDay = tally.byType.find((b: { type: string }) => b.type === 'theme_day')
    expect(text).toContain(`已开展主题党日活动${themeDay.sessions}次，累计参加人员${themeDay.attendance}人次`)
    expect(report.sections.map((s: { title: string }) => s.title.slice(0, 2))).toEqual([
      '总体',
      '一是',
      '二是',
      '三是',
      '1、',
      '2、',
      '3、',
      '4、',
      '5、',
      '四是',
      '五是',
    ])
    expect(report.figures.tasks).toMatchObject({ total: 2, done: 1, overdue: 1 })

    const docx = await t.http().get(`/api/reports/campaign?orgId=${org.R.id}&format=docx`).set(bearer(admin)).buffer(true).parse(binary)
    expect(docx.status).toBe(200)
    expect(docx.headers['content-type']).toContain('wordprocessingml')
    const xml = await (await JSZip.loadAsync(docx.body)).file('word/document.xml')!.async('string')
    const plain = xml.replace(/<[^>]+>/g, '')
    expect(plain).toContain(`共开展各类学习教育活动${tally.sessions}场次，参加人员${tally.attendance}人次`)
    expect(plain).toContain('四是学习教育实行台账化管理')

    const secReport = await ok('get', '/api/reports/campaign', tok.secA)
    expect(secReport.orgId).toBe(org.A.id)
    expect((await call('get', `/api/reports/campaign?orgId=${org.B.id}`, tok.secA)).status).toBe(403)
    expect((await call('get', '/api/reports/campaign', tok.m1)).status).toBe(403)
  })
})

describe('the demo campaign', () => {
  it("gives the demo department a spring-2021 campaign whose first report reads like the customer's", async () => {
    const q = 'from=2021-03-01&to=2021-06-30'
    const tally = await ok('get', `/api/activities/tally?${q}`, admin)
    for (const type of ['lecture', 'theme_day', 'seminar', 'tutorial', 'screening', 'contest']) {
      expect(tally.byType.find((b: { type: string }) => b.type === type).sessions, type).toBeGreaterThan(0)
    }
    expect(tally.byOrg.filter((o: { sessions: number }) => o.sessions > 0).length).toBeGreaterThanOrEqual(4)
    const report = await ok('get', `/api/reports/campaign?${q}`, admin)
    expect(report.figures.sessions).toBe(tally.sessions)
    expect(report.figures.bulletins).toBe(5)
    expect(report.figures.tasks.total).toBeGreaterThan(50)
    expect(report.figures.briefings.submitted).toBeGreaterThan(10)
    expect(report.sections[0].text).toContain('截至2021年6月30日')
    // A secretary's view of the same period covers her branch only.
    const branch = await ok('get', `/api/activities/tally?${q}`, await t.login('sj_bgs'))
    expect(branch.sessions).toBeLessThan(tally.sessions)
    expect(branch.byOrg).toEqual([])
  })
})
