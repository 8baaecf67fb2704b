// 现场竞答: a question that an exam opened mid-game holds is skipped when it comes up (never shown,
// never scored), or, held since it went on screen, voided at its reveal (no key, no counts, no
// score); with every question left held the host ends on the podium, and before the first question
// the start is refused. Restarts: contests-restart.test.ts.
import { beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { bearer, binary, type TestContext } from './helpers/app.js'
import { until } from './helpers/sockets.js'
import { countedReads, keyFor, keysSentEarly } from './helpers/live-games.js'
import { ack, branchContests, seen, useContestServer, type Phone } from './helpers/contests.js'
import { contestRuntimeOf } from '../server/modules/contests/index.js'

const server = useContestServer()
const { env } = server
const { SECRETARY, freshSingles, members, create, lockOnExam, hall, underway, auditOf, answer } = branchContests(server)
let t: TestContext
beforeAll(() => {
  t = env.t
})

describe('a question an exam opened mid-game holds is skipped', () => {
  it('never reaches a phone or the hall, scores nothing, and results, export and ledger count the questions played', async () => {
    const {
      sec,
      qs,
      created,
      host,
      phones: [fast, slow],
    } = await underway(3, 2)
    expect(host.hosted).toEqual({ ok: true, pin: created.pin, players: 0 })
    await answer(created.id, 0, [fast, slow], [fast])
    // While the hall looks at the reveal of question 1, the branch gets an exam on question 2.
    await lockOnExam([qs[1].id])
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    for (const c of [host, fast, slow]) {
      const skipped = (await until(() => seen(c, 'contest:skipped')[0])).payload
      expect(skipped).toEqual({ contestId: created.id, indices: [1], skipped: [1] })
    }
    // Straight on to question 3.
    expect(await answer(created.id, 2, [fast, slow], [fast, slow])).toBe(qs[2].id)
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    const end = (await until(() => seen(fast, 'contest:end')[0], 5000)).payload
    await contestRuntimeOf(t.app)!.settle()

    // Nothing of question 2 went out: not its id, stem, options (those no other question shares) or key.
    const others = new Set([qs[0], qs[2]].flatMap((x) => (x.options ?? []).map((o) => o.text)))
    const secrets = [qs[1].stem, ...(qs[1].options ?? []).map((o) => o.text).filter((text) => !others.has(text))]
    for (const c of [host, fast, slow]) {
      expect(c.log.filter((e) => e.payload?.index === 1)).toEqual([])
      expect(c.log.filter((e) => e.payload?.question?.id === qs[1].id)).toEqual([])
      const all = JSON.stringify(c.log)
      for (const text of secrets) expect(all).not.toContain(text)
      expect(keysSentEarly(c.log, 'contest:reveal')).toEqual([])
    }
    expect(seen(fast, 'contest:result').map((e) => e.payload.index)).toEqual([0, 2])

    // Scores and right answers come from questions 1 and 3 only.
    const points = (p: Phone) => seen(p, 'contest:result').reduce((sum, e) => sum + e.payload.points, 0)
    const results = (await t.http().get(`/api/contests/${created.id}/results`).set(bearer(sec))).body
    expect(results.find((r: any) => r.userId === fast.userId)).toMatchObject({ rank: 1, score: points(fast), correct: 2 })
    expect(results.find((r: any) => r.userId === slow.userId)).toMatchObject({ rank: 2, score: points(slow), correct: 1 })
    expect(end.podium.map((r: any) => [r.userId, r.score])).toEqual([
      [fast.userId, points(fast)],
      [slow.userId, points(slow)],
    ])
    const answers = await t.db.selectFrom('contest_answers').select(['idx', 'question_id']).where('contest_id', '=', created.id).execute()
    expect(new Set(answers.map((a) => a.idx))).toEqual(new Set([0, 2]))

    // The console, the export and the ledger count two questions asked, one skipped.
    const item = (await t.http().get(`/api/contests/${created.id}`).set(bearer(sec))).body
    expect(item).toMatchObject({ status: 'finished', questionCount: 3, skippedCount: 1 })
    const activity = await t.db.selectFrom('activities').select('summary').where('id', '=', item.activityId).executeTakeFirstOrThrow()
    expect(activity.summary).toBe('现场竞答：2 题（另有 1 题因考试未结束跳过），2 人参加')
    const file = await t.http().get(`/api/contests/${created.id}/export`).set(bearer(sec)).buffer(true).parse(binary)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(file.body as unknown as ExcelJS.Buffer)
    const about = new Map<string, unknown>()
    wb.getWorksheet('说明')!.eachRow((row) => about.set(String(row.getCell(1).value), row.getCell(2).value))
    expect(about.get('题数')).toBe(2)
    expect(about.get('跳过的题')).toContain('第 2 题')
    const scores = wb.getWorksheet('竞答成绩')!.getColumn(4).values.slice(2)
    expect(scores).toEqual([points(fast), points(slow)])

    // Who skipped what is in the audit log.
    const audited = await auditOf('contest.skip', created.id)
    const { id: secId } = await t.db.selectFrom('users').select('id').where('username', '=', SECRETARY).executeTakeFirstOrThrow()
    expect(audited).toEqual([{ actor_id: secId, details: { positions: [2], questionIds: [qs[1].id], reason: 'open_exam' } }])
  })

  it('held by an exam that opened during its countdown: voided at the reveal — no key, no counts, no score — and the game goes on', async () => {
    // Long questions (18 s here): the bell must not ring while the exam is made.
    const {
      sec,
      qs,
      created,
      host,
      phones: [fast, slow],
    } = await underway(3, 2, 120)
    const q0 = (await until(() => seen(fast, 'contest:question').find((e) => e.payload.index === 0))).payload
    expect(q0.question.id).toBe(qs[0].id)
    // One phone answers it right (its points counted on arrival); then, while it is on screen, the
    // branch gets an exam on this very question.
    const rightAnswer = await keyFor(t.db, q0.question)
    expect(await ack(fast.socket, 'contest:answer', { contestId: created.id, index: 0, answer: rightAnswer })).toEqual({ ok: true })
    await lockOnExam([qs[0].id])

    // The host presses 揭晓答案, five times over (made slow, the reading of the open exams meets them
    // all): one reading, one void.
    const runtime = contestRuntimeOf(t.app)!
    const counted = countedReads(runtime)
    try {
      const presses = await Promise.all(Array.from({ length: 5 }, () => ack(host.socket, 'contest:next', { contestId: created.id })))
      expect(presses).toEqual(Array.from({ length: 5 }, () => ({ ok: true })))
    } finally {
      counted.restore()
    }
    expect(counted.reads).toBe(1)
    for (const c of [host, fast, slow]) {
      const voided = (await until(() => seen(c, 'contest:voided')[0])).payload
      expect(voided).toEqual({ contestId: created.id, index: 0, skipped: [0], reason: 'open_exam' })
    }
    // Too late to answer it; a hall screen opened now reads the void, not the question.
    expect(await ack(slow.socket, 'contest:answer', { contestId: created.id, index: 0, answer: rightAnswer })).toMatchObject({
      ok: false,
      error: '本题已结束',
    })
    const second = await hall(sec, created.id)
    expect(seen(second, 'contest:state')[0].payload).toMatchObject({
      phase: 'reveal',
      index: 0,
      skipped: [0],
      voided: 'open_exam',
      question: null,
    })
    expect(seen(second, 'contest:reveal')).toEqual([])

    // 下一题 goes on to question 2 as after any reveal, then question 3 and the podium.
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    expect(await answer(created.id, 1, [fast, slow], [slow])).toBe(qs[1].id)
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    expect(await answer(created.id, 2, [fast, slow], [fast, slow])).toBe(qs[2].id)
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    const end = (await until(() => seen(fast, 'contest:end')[0], 5000)).payload
    await runtime.settle()

    // Of question 1 the hall and the phones got the question (before the exam opened) and its void:
    // no reveal, no counts, no result (a phone told it was right would know the key), no key field.
    for (const c of [host, fast, slow]) {
      expect(c.log.filter((e) => e.payload?.index === 0).map((e) => e.event)).toEqual(['contest:question', 'contest:voided'])
      expect(keysSentEarly(c.log, 'contest:reveal')).toEqual([])
      expect(seen(c, 'contest:reveal').map((e) => e.payload.index)).toEqual([1, 2])
    }
    expect(seen(fast, 'contest:result').map((e) => e.payload.index)).toEqual([1, 2])

    // Nobody scored for it: the fast phone's right answer there counts for nothing.
    const points = (p: Phone) => seen(p, 'contest:result').reduce((sum, e) => sum + e.payload.points, 0)
    const results = (await t.http().get(`/api/contests/${created.id}/results`).set(bearer(sec))).body
    expect(results.find((r: any) => r.userId === fast.userId)).toMatchObject({ score: points(fast), correct: 1 })
    expect(results.find((r: any) => r.userId === slow.userId)).toMatchObject({ rank: 1, score: points(slow), correct: 2 })
    expect(end.podium.find((r: any) => r.userId === fast.userId).score).toBe(points(fast))
    const answers = await t.db.selectFrom('contest_answers').select('idx').where('contest_id', '=', created.id).execute()
    expect(new Set(answers.map((a) => a.idx))).toEqual(new Set([1, 2]))

    // Saved and audited as a skip; the console and the ledger count two questions asked, one skipped.
    const item = (await t.http().get(`/api/contests/${created.id}`).set(bearer(sec))).body
    expect(item).toMatchObject({ status: 'finished', questionCount: 3, skippedCount: 1 })
    const activity = await t.db.selectFrom('activities').select('summary').where('id', '=', item.activityId).executeTakeFirstOrThrow()
    expect(activity.summary).toBe('现场竞答：2 题（另有 1 题因考试未结束跳过），2 人参加')
    const audited = await auditOf('contest.skip', created.id)
    const { id: secId } = await t.db.selectFrom('users').select('id').where('username', '=', SECRETARY).executeTakeFirstOrThrow()
    expect(audited).toEqual([{ actor_id: secId, details: { positions: [1], questionIds: [qs[0].id], reason: 'open_exam', asked: true } }])
  })

  it('with every question left held, the host ends on the podium; before the first question, the start is refused', async () => {
    const sec = await t.login(SECRETARY)
    const qs = await freshSingles(3)
    const created = await create(
      sec,
      qs.map((x) => x.id),
    )
    await lockOnExam([qs[1].id, qs[2].id])
    // The screen opens, and says which questions to come an exam holds now.
    const host = await hall(sec, created.id)
    expect(host.hosted).toEqual({ ok: true, pin: created.pin, players: 0, lockedAhead: [1, 2] })
    const [player] = await members(1)
    expect((await ack(player.socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    await ack(host.socket, 'contest:next', { contestId: created.id })
    await answer(created.id, 0, [player], [player])
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    const end = (await until(() => seen(host, 'contest:end')[0], 5000)).payload
    expect(seen(host, 'contest:skipped').map((e) => e.payload.indices)).toEqual([[1, 2]])
    expect(end.podium).toEqual([expect.objectContaining({ rank: 1, userId: player.userId })])
    await contestRuntimeOf(t.app)!.settle()
    const item = (await t.http().get(`/api/contests/${created.id}`).set(bearer(sec))).body
    expect(item).toMatchObject({ status: 'finished', questionCount: 3, skippedCount: 2 })

    // A contest not started whose every question is held: nothing to play, so nothing is skipped.
    const [lone] = await freshSingles(1)
    const idle = await create(sec, [lone.id])
    await lockOnExam([lone.id])
    const idleHost = await hall(sec, idle.id)
    expect(idleHost.hosted).toMatchObject({ ok: true, lockedAhead: [0] })
    const refused = await ack(idleHost.socket, 'contest:next', { contestId: idle.id })
    expect(refused).toEqual({ ok: false, error: '这道题也出现在正在进行的考试中，考试结束后才能开始本场竞答' })
    const row = await t.db.selectFrom('contests').select(['status', 'skipped']).where('id', '=', idle.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ status: 'lobby', skipped: [] })
  })
})
