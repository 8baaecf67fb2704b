// 现场竞答 after a restart of the games home (its contests in memory gone, loaded again from the
// database): a skipped question stays skipped, even once its exam has closed; the question on
// screen when it died is voided, not asked again; one revealed with no answer is not asked again;
// a voided question reads as voided, with its reason, at every later resume — not only at the one
// that voided it; and one revealed before the restart reads as revealed (its reveal not rebuilt).
import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, type TestContext } from './helpers/app.js'
import { until } from './helpers/sockets.js'
import { keysSentEarly } from './helpers/live-games.js'
import { ack, branchContests, seen, SECOND_MS, useContestServer } from './helpers/contests.js'
import { contestRuntimeOf } from '../server/modules/contests/index.js'

const server = useContestServer()
const { env, node } = server
const { members, lockOnExam, hall, underway, auditOf, answer } = branchContests(server)
let t: TestContext
beforeAll(() => {
  t = env.t
})

describe('a restart of the games home', () => {
  it('stays skipped after a restart, even once the exam has closed; the question open when it died is voided, not asked again', async () => {
    const {
      sec,
      qs,
      created,
      host: first,
      phones: [player],
    } = await underway(4, 1)
    await answer(created.id, 0, [player], [player])
    const exam = await lockOnExam([qs[1].id])
    await ack(first.socket, 'contest:next', { contestId: created.id })
    await until(() => seen(player, 'contest:question').find((e) => e.payload.index === 2))

    // The games home restarts while question 3 is open (on the hall screen, its key not yet shown,
    // unanswered), and meanwhile the exam closes: question 2 is no longer held by anything.
    const runtime = contestRuntimeOf(t.app)!
    await runtime.settle()
    runtime.close()
    await t.db
      .updateTable('exams')
      .set({ closes_at: new Date(Date.now() - 1000) })
      .where('id', '=', exam.id)
      .execute()

    // The hall screen reopens at question 3, voided: the hall has read it, the answers to it are lost.
    const again = await hall(sec, created.id)
    expect(again.hosted).toEqual({ ok: true, pin: created.pin, players: 1 })
    expect(seen(again, 'contest:state')[0].payload).toMatchObject({
      phase: 'reveal',
      index: 2,
      skipped: [1],
      voided: 'restart',
      question: null,
    })
    const back = await members(1)
    expect((await ack(back[0].socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    expect(seen(back[0], 'contest:state')[0].payload).toMatchObject({
      index: 2,
      skipped: [1],
      voided: 'restart',
      score: seen(player, 'contest:result')[0].payload.score,
    })
    // 下一题: question 4 — not question 2 (skipped), not question 3 again.
    expect(await ack(again.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    const asked = (await until(() => seen(back[0], 'contest:question')[0])).payload
    expect(asked).toMatchObject({ index: 3, question: { id: qs[3].id } })
    expect(seen(back[0], 'contest:skipped')).toEqual([])
    await answer(created.id, 3, back, back)
    expect(await ack(again.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    await until(() => seen(back[0], 'contest:end')[0], 5000)
    await runtime.settle()
    for (const c of [first, player, again, ...back]) {
      expect(c.log.filter((e) => e.event === 'contest:reveal').map((e) => e.payload.index)).not.toContain(2)
      expect(keysSentEarly(c.log, 'contest:reveal')).toEqual([])
    }

    // Question 3 counts as asked (it was shown; no exam held it) and scored nobody; the void is audited.
    const item = (await t.http().get(`/api/contests/${created.id}`).set(bearer(sec))).body
    expect(item).toMatchObject({ status: 'finished', questionCount: 4, skippedCount: 1 })
    const activity = await t.db.selectFrom('activities').select('summary').where('id', '=', item.activityId).executeTakeFirstOrThrow()
    expect(activity.summary).toBe('现场竞答：3 题（另有 1 题因考试未结束跳过），1 人参加')
    const answers = await t.db.selectFrom('contest_answers').select('idx').where('contest_id', '=', created.id).execute()
    expect(answers.map((a) => a.idx).sort()).toEqual([0, 3])
    const audited = await auditOf('contest.void', created.id)
    expect(audited).toEqual([{ actor_id: null, details: { positions: [3], questionIds: [qs[2].id], reason: 'restart' } }])
  })

  it('after a restart, a question revealed with no answer is not asked again', async () => {
    const {
      sec,
      qs,
      created,
      phones: [player],
    } = await underway(2, 1)
    // Nobody answers: the bell reveals question 1, its key on every screen, and no answer is saved.
    const shown = (await until(() => seen(player, 'contest:reveal').find((e) => e.payload.index === 0), 20 * SECOND_MS + 3000)).payload
    expect(shown.counts.none).toBe(1)
    const runtime = contestRuntimeOf(t.app)!
    await runtime.settle()
    runtime.close()

    const again = await hall(sec, created.id)
    expect(seen(again, 'contest:state')[0].payload).toMatchObject({ phase: 'reveal', index: 0, voided: null })
    const back = await members(1)
    expect((await ack(back[0].socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    expect(await ack(again.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    const asked = (await until(() => seen(back[0], 'contest:question')[0])).payload
    expect(asked).toMatchObject({ index: 1, question: { id: qs[1].id } })
    const row = await t.db
      .selectFrom('contests')
      .select(['last_asked', 'last_closed'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ last_asked: 1, last_closed: 0 })
  })

  it('after a restart, a question revealed before it reads as revealed on the hall and the phones, its key not sent again', async () => {
    // Question 1 is answered (one phone right, one wrong) and revealed on node 1, which then dies
    // before the host moves on. Its reveal (key, counts) was in that memory: node 2 does not rebuild
    // it (an exam opened since may hold the question), the screens say only that it was revealed,
    // and the hall shows the top five again from the saved scores. Before, the hall and the phones came back blank, with 下一题 and nothing else.
    const first = await node()
    const {
      sec,
      qs,
      created,
      host,
      phones: [player, other],
    } = await underway(2, 2, 120, first.baseUrl)
    await answer(created.id, 0, [player, other], [player])
    const score = seen(player, 'contest:result')[0].payload.score
    expect(score).toBeGreaterThan(0)
    await contestRuntimeOf(first.app)!.settle()
    await first.app.close()

    const revealed = { phase: 'reveal', index: 0, voided: null, revealed: true, question: null }
    const second = await node()
    const again = await hall(sec, created.id, second.baseUrl)
    expect(again.hosted).toEqual({ ok: true, pin: created.pin, players: 2 })
    // The hall shows the top five from the saved scores (names and places; no key, no counts).
    const hallState = seen(again, 'contest:state')[0].payload
    expect(hallState).toMatchObject({
      ...revealed,
      rank: 0,
      top: [
        { rank: 1, score },
        { rank: 2, score: 0 },
      ],
    })
    expect(hallState.top.every((r: { name: string }) => r.name.length > 0)).toBe(true)
    // The phones rejoin with their score and their place (from the saved scores: no key needed).
    const back = await members(2, second.baseUrl)
    for (const p of back) expect((await ack(p.socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    expect(seen(back[0], 'contest:state')[0].payload).toMatchObject({ ...revealed, score, rank: 1, top: [] })
    expect(seen(back[1], 'contest:state')[0].payload).toMatchObject({ ...revealed, score: 0, rank: 2, top: [] })
    for (const c of [again, ...back]) expect(seen(c, 'contest:reveal')).toEqual([])

    // 下一题: question 2, which no longer reads as revealed.
    expect(await ack(again.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    expect((await until(() => seen(back[0], 'contest:question')[0])).payload).toMatchObject({ index: 1, question: { id: qs[1].id } })
    const [reloaded] = await members(1, second.baseUrl)
    expect((await ack(reloaded.socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    expect(seen(reloaded, 'contest:state').at(-1)!.payload).toMatchObject({ phase: 'question', index: 1, revealed: false })
    for (const c of [host, player, other, again, ...back]) expect(keysSentEarly(c.log, 'contest:reveal')).toEqual([])
  })

  it('a question the first restart voided still reads as voided after a second one, and is never asked again', async () => {
    // The game runs on a node of its own: each restart is that process closing and a new one opening on
    // the same database. Long questions (18 s here): no bell rings while the nodes change.
    const first = await node()
    const {
      sec,
      qs,
      created,
      host,
      phones: [player],
    } = await underway(3, 1, 120, first.baseUrl)
    await answer(created.id, 0, [player], [player])
    const score = seen(player, 'contest:result')[0].payload.score
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    await until(() => seen(player, 'contest:question').find((e) => e.payload.index === 1))
    // The process dies with question 2 on screen, unanswered.
    await contestRuntimeOf(first.app)!.settle()
    await first.app.close()

    // The first restart voids it: the hall screen reads 第 2 题作答时系统中断…
    const voided = { phase: 'reveal', index: 1, skipped: [], voided: 'restart', question: null }
    const second = await node()
    const hall2 = await hall(sec, created.id, second.baseUrl)
    expect(hall2.hosted).toEqual({ ok: true, pin: created.pin, players: 1 })
    expect(seen(hall2, 'contest:state')[0].payload).toMatchObject(voided)
    await contestRuntimeOf(second.app)!.settle()
    await second.app.close()

    // The second restart, before the host moved on: the hall and the phone still read why (it was
    // a blank screen with 下一题: the void was known only to the process that made it).
    const third = await node()
    const hall3 = await hall(sec, created.id, third.baseUrl)
    expect(hall3.hosted).toEqual({ ok: true, pin: created.pin, players: 1 })
    expect(seen(hall3, 'contest:state')[0].payload).toMatchObject(voided)
    const [back] = await members(1, third.baseUrl)
    expect((await ack(back.socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    expect(seen(back, 'contest:state')[0].payload).toMatchObject({ ...voided, score })

    // 下一题: question 3, not question 2 again; then the podium.
    expect(await ack(hall3.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    expect((await until(() => seen(back, 'contest:question')[0])).payload).toMatchObject({ index: 2, question: { id: qs[2].id } })
    await answer(created.id, 2, [back], [back])
    expect(await ack(hall3.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    await until(() => seen(back, 'contest:end')[0], 5000)
    await contestRuntimeOf(third.app)!.settle()
    for (const c of [host, player, hall2, hall3, back]) {
      expect(seen(c, 'contest:reveal').map((e) => e.payload.index)).not.toContain(1)
      expect(keysSentEarly(c.log, 'contest:reveal')).toEqual([])
    }

    // Voided once (by the first restart, not again by the second); it counts as asked and scored nobody.
    const audited = await auditOf('contest.void', created.id)
    expect(audited).toEqual([{ actor_id: null, details: { positions: [2], questionIds: [qs[1].id], reason: 'restart' } }])
    const answers = await t.db.selectFrom('contest_answers').select('idx').where('contest_id', '=', created.id).execute()
    expect(answers.map((a) => a.idx).sort()).toEqual([0, 2])
    const item = (await t.http().get(`/api/contests/${created.id}`).set(bearer(sec))).body
    expect(item).toMatchObject({ status: 'finished', questionCount: 3, skippedCount: 0 })
  })

  it('after a restart, a question voided because an exam took it during its countdown still reads as voided', async () => {
    const first = await node()
    const {
      sec,
      qs,
      created,
      host,
      phones: [player],
    } = await underway(2, 1, 120, first.baseUrl)
    await until(() => seen(player, 'contest:question')[0])
    await lockOnExam([qs[0].id])
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    await until(() => seen(player, 'contest:voided')[0])
    await contestRuntimeOf(first.app)!.settle()
    await first.app.close()

    const voided = { phase: 'reveal', index: 0, skipped: [0], voided: 'open_exam', question: null }
    const second = await node()
    expect(seen(await hall(sec, created.id, second.baseUrl), 'contest:state')[0].payload).toMatchObject(voided)
    const [back] = await members(1, second.baseUrl)
    expect((await ack(back.socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    expect(seen(back, 'contest:state')[0].payload).toMatchObject(voided)
  })
})
