// Attacks found in a route-by-route review, each refused now. Secretaries sit their own branch's
// exams (the matrix's secIn starts attempts), so staff views that carry an exam's key must not
// reach a secretary who can still sit it; and a contest's key screen must not ask a question that
// an exam opened since the contest was made now holds — it skips it, and only its own host can
// make it do so, however often she presses; nor can anyone but its host cancel a contest, and her
// flood of cancels cancels once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { createTestContext, bearer, binary, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { connect, until, type ClientSocket } from './helpers/sockets.js'
import { countedReads, recordAll } from './helpers/live-games.js'
import { contestRuntimeOf } from '../server/modules/contests/index.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
let orgs: { id: number; name: string; parentId: number | null; kind: string }[]
const org = (name: string) => orgs.find((o) => o.name === name)!
const sockets: ClientSocket[] = []

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  admin = await t.login(DEMO_ADMIN.username)
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
})
afterAll(async () => {
  sockets.forEach((s) => s.close())
  await t?.close()
})

/**
 * A contest of 办公室党支部 made by its secretary on `count` published judge questions, the newest
 * but `skip` (tests take different ones, so no exam of another test holds them).
 */
async function branchContest(title: string, opts: { count: number; skip: number; secondsPerQuestion: number }) {
  const judges = await t.db
    .selectFrom('questions')
    .select('id')
    .where('type', '=', 'judge')
    .where('status', '=', 'published')
    .orderBy('id', 'desc')
    .offset(opts.skip)
    .limit(opts.count)
    .execute()
  const created = await t
    .http()
    .post('/api/contests')
    .set(bearer(await t.login('sj_bgs')))
    .send({ title, orgId: org('办公室党支部').id, questionIds: judges.map((j) => j.id), secondsPerQuestion: opts.secondsPerQuestion })
  expect(created.status).toBe(201)
  return { judges, created }
}

async function sitAndSubmit(token: string, examId: number) {
  const a = (await t.http().post(`/api/exams/${examId}/attempts`).set(bearer(token)).send({})).body
  expect(a.attemptId).toEqual(expect.any(Number))
  expect((await t.http().post(`/api/attempts/${a.attemptId}/submit`).set(bearer(token))).status).toBe(200)
}

async function resultsSheets(token: string, examId: number) {
  const res = await t.http().get(`/api/exams/${examId}/results?format=xlsx`).set(bearer(token)).buffer(true).parse(binary)
  expect(res.status).toBe(200)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.load(res.body as unknown as ExcelJS.Buffer)
  return wb.worksheets.map((s) => s.name)
}

describe('item analysis is no key for a secretary who can still sit the exam', () => {
  it("her branch's open exam: analysis refused and left out of the export until she has no attempt left", async () => {
    const exam = await createOpenExam(t, admin, {
      title: `考生书记 ${Date.now()}`,
      audienceOrgIds: [org('办公室党支部').id],
      shuffleOptions: true,
      paper: { rules: [{ type: 'single', count: 2, scoreEach: 50 }] },
    })
    // One member of her branch has submitted: the analysis now marks every option right or wrong.
    await sitAndSubmit(await t.login('dy0001'), exam.id)
    const secretary = await t.login('sj_bgs') // 办公室党支部, invited, not yet started
    const analysis = await t.http().get(`/api/exams/${exam.id}/analysis`).set(bearer(secretary))
    expect(analysis.status).toBe(403)
    expect(JSON.stringify(analysis.body)).not.toContain('"correct"')
    expect(analysis.body.error.message).toContain('您也要参加本场考试')
    expect(await resultsSheets(secretary, exam.id)).not.toContain('题目分析')
    // Nor the stems ahead of her own start: the stats keep the score distribution only.
    const stats = (await t.http().get(`/api/exams/${exam.id}/stats`).set(bearer(secretary))).body
    expect(stats).toMatchObject({ submitted: 1, questions: [], questionsWithheld: expect.stringContaining('您也要参加本场考试') })
    // The figures she watches while the exam runs stay hers.
    expect((await t.http().get(`/api/exams/${exam.id}/results`).set(bearer(secretary))).status).toBe(200)
    expect((await t.http().get(`/api/exams/${exam.id}/monitor`).set(bearer(secretary))).status).toBe(200)
    // The admin, who never sits exams, sees it all along.
    const forAdmin = await t.http().get(`/api/exams/${exam.id}/analysis`).set(bearer(admin))
    expect(forAdmin.status).toBe(200)
    expect(forAdmin.body.questions[0].options.some((o: { correct: boolean }) => o.correct)).toBe(true)

    // Her one attempt used: the key can no longer help her, and the analysis is hers again.
    await sitAndSubmit(secretary, exam.id)
    expect((await t.http().get(`/api/exams/${exam.id}/analysis`).set(bearer(secretary))).status).toBe(200)
    expect(await resultsSheets(secretary, exam.id)).toContain('题目分析')
    expect((await t.http().get(`/api/exams/${exam.id}/stats`).set(bearer(secretary))).body.questions.length).toBeGreaterThan(0)
  })
})

describe('a contest made before an exam does not show that exam’s keys', () => {
  it('the hall screen opens, but the first question is not asked while an open exam holds it', async () => {
    const sec = await t.login('sj_bgs')
    // Made while no exam held the question (creation checks the open exams then) …
    const {
      judges: [judge],
      created,
    } = await branchContest('先建后考', { count: 1, skip: 0, secondsPerQuestion: 10 })
    // … then the branch gets an exam on that very question.
    await createOpenExam(t, admin, {
      title: `竞答之后的考试 ${Date.now()}`,
      audienceOrgIds: [org('办公室党支部').id],
      paper: { questionIds: [judge.id], scoreEach: 100 },
    })
    const host = await connect(t.baseUrl, sec)
    const phone = await connect(t.baseUrl, await t.login('dy0002'))
    sockets.push(host, phone)
    const shown: unknown[] = []
    phone.on('contest:question', (p) => shown.push(p))
    phone.on('contest:reveal', (p) => shown.push(p))
    expect((await phone.timeout(5000).emitWithAck('contest:join', { pin: created.body.pin })).ok).toBe(true)
    // The screen opens (it shows no question yet) and names the question an exam holds …
    const hosted = await host.timeout(5000).emitWithAck('contest:host', { contestId: created.body.id })
    expect(hosted).toEqual({ ok: true, pin: created.body.pin, players: 1, lockedAhead: [0] })
    // … but its only question is never asked: nothing to play, so the start is refused.
    const started = await host.timeout(5000).emitWithAck('contest:next', { contestId: created.body.id })
    expect(started).toMatchObject({ ok: false, error: expect.stringContaining('考试结束后才能开始') })
    await new Promise((r) => setTimeout(r, 300))
    expect(shown).toEqual([])
  })

  it('nor does a running one ask a question that an exam made since holds: it skips it', async () => {
    const sec = await t.login('sj_bgs')
    const { judges, created } = await branchContest('竞答进行中', { count: 2, skip: 1, secondsPerQuestion: 10 })
    const host = await connect(t.baseUrl, sec)
    const phone = await connect(t.baseUrl, await t.login('dy0003'))
    sockets.push(host, phone)
    const asked: number[] = []
    phone.on('contest:question', (p) => asked.push(p.question.id))
    const log = recordAll(phone)
    expect((await phone.timeout(5000).emitWithAck('contest:join', { pin: created.body.pin })).ok).toBe(true)
    expect((await host.timeout(5000).emitWithAck('contest:host', { contestId: created.body.id })).ok).toBe(true)
    expect(await host.timeout(5000).emitWithAck('contest:next', { contestId: created.body.id })).toEqual({ ok: true }) // question 1
    // While the hall is on question 1, the branch gets an exam on question 2.
    await createOpenExam(t, admin, {
      title: `竞答进行中的考试 ${Date.now()}`,
      audienceOrgIds: [org('办公室党支部').id],
      paper: { questionIds: [judges[1].id], scoreEach: 100 },
    })
    expect(await host.timeout(5000).emitWithAck('contest:next', { contestId: created.body.id })).toEqual({ ok: true }) // reveal 1
    // Question 2 was the last: skipped, and the podium comes instead of a wait for the exam to close.
    expect(await host.timeout(5000).emitWithAck('contest:next', { contestId: created.body.id })).toEqual({ ok: true })
    await until(() => log.find((e) => e.event === 'contest:end'))
    expect(log.filter((e) => e.event === 'contest:skipped').map((e) => e.payload)).toEqual([
      { contestId: created.body.id, indices: [1], skipped: [1] },
    ])
    expect(asked).toEqual([judges[0].id])
  })
})

describe('skipping a held question is the host’s alone, and a flood of presses skips once', () => {
  it('a player, or a secretary of another branch, cannot make it skip; the host’s burst reads the open exams once', async () => {
    const sec = await t.login('sj_bgs')
    const { judges, created } = await branchContest('跳题只归主持人', { count: 3, skip: 5, secondsPerQuestion: 30 })
    const contestId = created.body.id
    const host = await connect(t.baseUrl, sec)
    const phone = await connect(t.baseUrl, await t.login('dy0004'))
    const stranger = await connect(t.baseUrl, await t.login('sj_dzxx')) // 电子信息处党支部's secretary
    sockets.push(host, phone, stranger)
    const log = recordAll(phone)
    const next = (s: ClientSocket) => s.timeout(5000).emitWithAck('contest:next', { contestId })
    expect((await phone.timeout(5000).emitWithAck('contest:join', { pin: created.body.pin })).ok).toBe(true)
    expect((await host.timeout(5000).emitWithAck('contest:host', { contestId })).ok).toBe(true)
    expect(await next(host)).toEqual({ ok: true }) // question 1
    expect(await next(host)).toEqual({ ok: true }) // its reveal
    await createOpenExam(t, admin, {
      title: `跳题攻击 ${Date.now()}`,
      audienceOrgIds: [org('办公室党支部').id],
      paper: { questionIds: [judges[1].id], scoreEach: 100 },
    })

    // Count the reads of the open exams from here on, each made slow enough for a burst to meet it.
    const counted = countedReads(contestRuntimeOf(t.app)!)
    try {
      // The player presses 下一题 in a flood; the other branch's secretary tries to host, then to press.
      const fromPlayer = await Promise.all(Array.from({ length: 30 }, () => next(phone)))
      expect(fromPlayer.every((r) => !r.ok)).toBe(true)
      expect(await stranger.timeout(5000).emitWithAck('contest:host', { contestId })).toMatchObject({ ok: false })
      expect(await next(stranger)).toMatchObject({ ok: false })
      expect(counted.reads).toBe(0)
      const row = await t.db.selectFrom('contests').select('skipped').where('id', '=', contestId).executeTakeFirstOrThrow()
      expect(row.skipped).toEqual([])
      expect(log.filter((e) => e.event === 'contest:skipped' || e.event === 'contest:question')).toHaveLength(1) // question 1 only

      // The host's burst: one step, one read, one skip, one question, one audit entry.
      const burst = await Promise.all(Array.from({ length: 15 }, () => next(host)))
      expect(burst.every((r) => r.ok)).toBe(true)
      expect(counted.reads).toBe(1)
      await new Promise((r) => setTimeout(r, 300))
      const moves = log.filter((e) => e.event === 'contest:skipped' || e.event === 'contest:question').slice(1)
      expect(moves.map((e) => [e.event, e.payload.index ?? e.payload.indices])).toEqual([
        ['contest:skipped', [1]],
        ['contest:question', 2],
      ])
      const audited = await t.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'contest.skip')
        .where('target_id', '=', String(contestId))
        .execute()
      expect(audited).toHaveLength(1)
    } finally {
      counted.restore()
    }
  })
})

describe('cancelling a contest is its host’s alone, and a flood cancels once', () => {
  it('a member or another branch’s secretary cannot; a second cancel and an ended contest are clear 409s', async () => {
    const sec = await t.login('sj_bgs')
    const runtime = contestRuntimeOf(t.app)!
    const { created } = await branchContest('取消只归主持人', { count: 2, skip: 8, secondsPerQuestion: 30 })
    const contestId = created.body.id
    const cancel = (token: string, id: number | string = contestId) => t.http().post(`/api/contests/${id}/cancel`).set(bearer(token))
    const host = await connect(t.baseUrl, sec)
    const phone = await connect(t.baseUrl, await t.login('dy0006'))
    sockets.push(host, phone)
    const log = recordAll(phone)
    expect((await phone.timeout(5000).emitWithAck('contest:join', { pin: created.body.pin })).ok).toBe(true)
    expect((await host.timeout(5000).emitWithAck('contest:host', { contestId })).ok).toBe(true)
    expect(await host.timeout(5000).emitWithAck('contest:next', { contestId })).toEqual({ ok: true }) // question 1 on screen

    // A member (even one playing in it), and the secretary of another branch: refused, nothing changes.
    expect((await cancel(await t.login('dy0006'))).status).toBe(403)
    const stranger = await cancel(await t.login('sj_dzxx'))
    expect(stranger.status).toBe(403)
    expect((await cancel(sec, 2147483647)).status).toBe(404)
    const bad = await cancel(sec, 'abc')
    expect(bad.status).toBe(400)
    expect(bad.body.error.details).toEqual([expect.objectContaining({ field: 'id' })])
    const row = () => t.db.selectFrom('contests').select(['status']).where('id', '=', contestId).executeTakeFirstOrThrow()
    expect(await row()).toEqual({ status: 'running' })

    // The host's flood: one cancel, the rest a 409 that says it is already cancelled.
    const flood = await Promise.all(Array.from({ length: 20 }, () => cancel(sec)))
    expect(flood.map((r) => r.status).sort()).toEqual([200, ...Array.from({ length: 19 }, () => 409)])
    expect(flood.find((r) => r.status === 200)!.body).toMatchObject({ id: contestId, status: 'cancelled' })
    expect(flood.find((r) => r.status === 409)!.body.error).toEqual({ code: 'CANCELLED', message: '本场竞答已取消，无需再次取消' })
    expect(await row()).toEqual({ status: 'cancelled' })
    const audited = await t.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'contest.cancel')
      .where('target_id', '=', String(contestId))
      .execute()
    expect(audited).toHaveLength(1)
    // The phone is told once; the game is gone from the games home (its question's timer with it),
    // and nothing follows.
    await until(() => log.find((e) => e.event === 'contest:cancelled'))
    await until(() => !(runtime as any).live.has(contestId) || undefined)
    await new Promise((r) => setTimeout(r, 300))
    expect(log.filter((e) => e.event === 'contest:cancelled')).toHaveLength(1)
    expect(
      log.filter((e) => ['contest:reveal', 'contest:result', 'contest:end', 'contest:question'].includes(e.event)).map((e) => e.event),
    ).toEqual(['contest:question'])
    expect(await phone.timeout(5000).emitWithAck('contest:join', { pin: created.body.pin })).toMatchObject({ ok: false })

    // An ended contest cannot be cancelled.
    const { created: done } = await branchContest('已结束不能取消', { count: 1, skip: 10, secondsPerQuestion: 30 })
    expect((await host.timeout(5000).emitWithAck('contest:host', { contestId: done.body.id })).ok).toBe(true)
    expect((await phone.timeout(5000).emitWithAck('contest:join', { pin: done.body.pin })).ok).toBe(true)
    for (let i = 0; i < 3; i++)
      expect(await host.timeout(5000).emitWithAck('contest:next', { contestId: done.body.id })).toEqual({ ok: true })
    await until(() => log.find((e) => e.event === 'contest:end'))
    await runtime.settle()
    const ended = await cancel(sec, done.body.id)
    expect(ended.status).toBe(409)
    expect(ended.body.error).toEqual({ code: 'FINISHED', message: '本场竞答已结束，不能取消' })
    expect(await t.db.selectFrom('contests').select('status').where('id', '=', done.body.id).executeTakeFirstOrThrow()).toEqual({
      status: 'finished',
    })
  })
})

describe('practice sets are not a write flood', () => {
  it('random sets and challenge runs are limited per person (each one stores its questions)', async () => {
    const member = await t.login('dy0005')
    const { id: userId } = (await t.http().get('/api/me').set(bearer(member))).body
    const sets = []
    for (let i = 0; i < 40; i++) sets.push((await t.http().get('/api/study/quiz/random?size=20').set(bearer(member))).status)
    expect(sets.filter((s) => s === 429).length).toBeGreaterThan(0)
    const runs = []
    for (let i = 0; i < 40; i++) runs.push((await t.http().post('/api/study/challenge').set(bearer(member))).status)
    expect(runs.filter((s) => s === 429).length).toBeGreaterThan(0)
    const stored = await t.db.selectFrom('practice_items').select('question_id').where('user_id', '=', userId).execute()
    const perMinute = t.app.limits.earnPerMinute
    expect(stored.length).toBeLessThanOrEqual(perMinute * 20 + perMinute)
  })
})

describe('a secretary cannot make or manage a secretary of her own unit', () => {
  // Staff powers are never used on one's own account. A second secretary account in her own unit,
  // signed in as, would give her points, time and attempts; a peer's account reset is a takeover.
  const create = (token: string, username: string, orgId: number, role: string) =>
    t.http().post('/api/users').set(bearer(token)).send({ username, name: '测试人员', password: 'Xc2026!test', orgId, role })
  const importCsv = (token: string, lines: string[], query = '?dryRun=true') =>
    t
      .http()
      .post(`/api/users/import${query}`)
      .set(bearer(token))
      .attach('file', Buffer.from(['用户名,姓名,组织,角色,初始密码', ...lines].join('\n')), 'people.csv')

  it('refuses a new or promoted secretary in her own unit, and any change to a peer secretary', async () => {
    const sj = await t.login('sj_bgs')
    const unit = org('办公室党支部').id
    const puppet = await create(sj, 'sj_bgs_puppet', unit, 'secretary')
    expect(puppet.status).toBe(403)
    expect(puppet.body.error.message).toBe('本组织的书记由上级组织或管理员设置')
    const member = await create(sj, 'bgs_new_member', unit, 'member')
    expect(member.status).toBe(201)
    const promote = await t.http().patch(`/api/users/${member.body.id}`).set(bearer(sj)).send({ role: 'secretary' })
    expect(promote.status).toBe(403)

    // A peer the admin made: not hers to reset, disable, demote or rename.
    const peer = await create(admin, 'sj_bgs_peer', unit, 'secretary')
    expect(peer.status).toBe(201)
    for (const patch of [{ password: 'Xc2026!taken' }, { active: false }, { role: 'member' }, { name: '改名' }]) {
      const res = await t.http().patch(`/api/users/${peer.body.id}`).set(bearer(sj)).send(patch)
      expect(res.status, JSON.stringify(patch)).toBe(403)
    }
    // Her own name she may still correct.
    const me = (await t.http().get('/api/me').set(bearer(sj))).body
    expect((await t.http().patch(`/api/users/${me.id}`).set(bearer(sj)).send({ name: me.name })).status).toBe(200)
  })

  it('lets the level above set the secretaries of the units below it', async () => {
    const above = await create(admin, 'sj_jgdw_test', org('厅机关党委').id, 'secretary')
    expect(above.status).toBe(201)
    const token = await t.login('sj_jgdw_test', 'Xc2026!test')
    const made = await create(token, 'sj_bgs_second', org('办公室党支部').id, 'secretary')
    expect(made.status).toBe(201)
    expect((await t.http().patch(`/api/users/${made.body.id}`).set(bearer(token)).send({ active: false })).status).toBe(200)
  })

  it('holds in the import too, and a row that leaves a secretary as she is passes', async () => {
    const sj = await t.login('sj_bgs')
    const me = (await t.http().get('/api/me').set(bearer(sj))).body
    const unit = '办公室党支部'
    for (const username of ['sj_peer_demoted', 'sj_peer_renamed', 'sj_peer_listed'])
      expect((await create(admin, username, org(unit).id, 'secretary')).status).toBe(201)
    const res = await importCsv(sj, [
      `${me.username},${me.name},${unit},书记,`, // herself, unchanged: fine
      `sj_import_puppet,傀儡,${unit},书记,Xc2026!test`, // a new secretary of her unit
      `sj_peer_demoted,测试人员,${unit},党员,`, // demoting a peer
      `sj_peer_renamed,改了名字,${unit},书记,`, // renaming a peer
      `sj_peer_listed,测试人员,${unit},书记,`, // a peer listed as she is: fine
      `dy0001,改名,${unit},党员,`, // a member of hers: fine
    ])
    expect(res.status).toBe(200)
    const messages = res.body.errors.map((e: { row: number; message: string }) => [e.row, e.message])
    expect(messages).toEqual([
      [3, expect.stringContaining('本组织的书记由上级组织或管理员设置')],
      [4, expect.stringContaining('本组织的书记由上级组织或管理员管理')],
      [5, expect.stringContaining('本组织的书记由上级组织或管理员管理')],
    ])
    const self = await importCsv(sj, [`${me.username},${me.name},${unit},党员,`])
    expect(self.body.errors[0].message).toContain('不能通过导入修改本人的角色或组织')
  })
})
