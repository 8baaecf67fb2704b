// 现场竞答 with real socket.io clients: creating a contest (scope, questions, open exams); a host
// and 30 phones — join by PIN, questions timed by the server, Kahoot scoring, reveals with counts
// and the top five, late joiners, a dropped phone rejoining with its score, the podium, results and
// their export, the ledger activity; and the attacks (answers after the reveal, another contest, a
// player playing host, other scopes). A question an open exam holds: contests-skips.test.ts; a
// restart of the games home: contests-restart.test.ts; cancelling: contests-cancel.test.ts.
import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, type TestContext } from './helpers/app.js'
import { until } from './helpers/sockets.js'
import { keyFor, keysSentEarly, recordAll, wrongFor, type Received } from './helpers/live-games.js'
import { ack, seen, SECOND_MS, username, useContestServer, type Phone } from './helpers/contests.js'
import { contestRuntimeOf } from '../server/modules/contests/index.js'
import { contestPoints, rankByScore } from '../server/modules/battles/scoring.js'

const { env, org, phone, connected } = useContestServer()
let t: TestContext
let admin: string
beforeAll(() => {
  t = env.t
  admin = env.admin
})

describe('creating a contest', () => {
  it('checks the org scope, the questions and the open exams', async () => {
    const sec = await t.login('sj_bgs')
    const create = (token: string, body: object) =>
      t
        .http()
        .post('/api/contests')
        .set(bearer(token))
        .send({ title: '主题党日竞答', secondsPerQuestion: 10, questionIds: [], ...body })
    expect((await create(sec, { orgId: org('办公室党支部').id })).status).toBe(400)
    expect((await create(sec, { orgId: org('电子信息处党支部').id, draw: { count: 3 } })).status).toBe(403)
    expect((await create(await t.login('dy0001'), { orgId: org('办公室党支部').id, draw: { count: 3 } })).status).toBe(403)
    expect((await create(sec, { orgId: org('办公室党支部').id, questionIds: [99999999] })).status).toBe(422)
    const fill = await t.db
      .selectFrom('questions')
      .select('id')
      .where('type', '=', 'fill')
      .where('status', '=', 'published')
      .executeTakeFirstOrThrow()
    expect((await create(sec, { orgId: org('办公室党支部').id, questionIds: [fill.id] })).status).toBe(422)

    // A question on an exam still open for the branch is refused (the hall would see its key).
    const judge = await t.db
      .selectFrom('questions')
      .select('id')
      .where('type', '=', 'judge')
      .where('status', '=', 'published')
      .executeTakeFirstOrThrow()
    const exam = await t
      .http()
      .post('/api/exams')
      .set(bearer(admin))
      .send({
        title: '竞答锁题',
        opensAt: new Date(Date.now() - 60_000).toISOString(),
        closesAt: new Date(Date.now() + 3_600_000).toISOString(),
        durationMinutes: 30,
        audienceOrgIds: [org('办公室党支部').id],
        passScore: 0,
        maxAttempts: 1,
        shuffleQuestions: false,
        shuffleOptions: false,
        releaseResults: 'immediately',
        paper: { questionIds: [judge.id], scoreEach: 100 },
      })
    expect(exam.status).toBe(201)
    const locked = await create(sec, { orgId: org('办公室党支部').id, questionIds: [judge.id] })
    expect(locked.status).toBe(409)
    expect(locked.body.error.message).toContain('考试')

    const ok = await create(sec, { orgId: org('办公室党支部').id, draw: { count: 3 } })
    expect(ok.status).toBe(201)
    expect(ok.body).toEqual({ id: expect.any(Number), pin: expect.stringMatching(/^\d{6}$/) })
    const row = await t.db.selectFrom('contests').select('question_ids').where('id', '=', ok.body.id).executeTakeFirstOrThrow()
    expect(row.question_ids).not.toContain(judge.id)
    expect((await t.http().get('/api/contests').set(bearer(sec))).body.map((c: any) => c.id)).toContain(ok.body.id)
    expect(
      (
        await t
          .http()
          .get('/api/contests')
          .set(bearer(await t.login('sj_dzxx')))
      ).body.map((c: any) => c.id),
    ).not.toContain(ok.body.id)
  })
})

describe('a contest of 30 phones', () => {
  it('joins, asks, scores, reveals, takes late joiners and rejoins, and ends on a podium recorded in the ledger', async () => {
    const created = (
      await t
        .http()
        .post('/api/contests')
        .set(bearer(admin))
        .send({
          title: '七一主题党日现场竞答',
          orgId: org('厅机关党委').id,
          questionIds: [],
          draw: { count: 3 },
          secondsPerQuestion: 20,
        })
    ).body
    const host = { socket: await connected(admin), log: [] as Received[] }
    host.log = recordAll(host.socket)
    expect(await ack(host.socket, 'contest:host', { contestId: created.id })).toEqual({ ok: true, pin: created.pin, players: 0 })

    const phones = await Promise.all(Array.from({ length: 30 }, (_, i) => phone(username(i + 1))))
    const joined = await Promise.all(phones.map((p) => ack(p.socket, 'contest:join', { pin: created.pin })))
    expect(joined.every((r) => r.ok && r.contestId === created.id)).toBe(true)
    await until(() => seen(host, 'contest:lobby').find((e) => e.payload.players === 30))
    for (const p of phones) expect(seen(p, 'contest:state')[0].payload).toMatchObject({ phase: 'lobby', total: 3, score: 0 })

    // Each phone answers each question: the first ten right, the rest wrong.
    const answerAll = async (index: number, who: Phone[]) => {
      const q = (await until(() => seen(who[0], 'contest:question').find((e) => e.payload.index === index))).payload
      const right = await keyFor(t.db, q.question)
      const wrong = await wrongFor(t.db, q.question)
      return Promise.all(
        who.map((p, i) =>
          ack(p.socket, 'contest:answer', { contestId: created.id, index, answer: phones.indexOf(p) < 10 ? right : wrong }).then((r) => [
            i,
            r,
          ]),
        ),
      )
    }

    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    const first = await answerAll(0, phones.slice(0, 29)) // the 30th does not answer: the time runs out
    expect(first.every(([, r]) => r.ok)).toBe(true)
    const reveal0 = (await until(() => seen(host, 'contest:reveal').find((e) => e.payload.index === 0), 5000)).payload
    const counts0 = Object.values(reveal0.counts as Record<string, number>)
    expect(counts0.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(30)
    expect(reveal0.counts.none).toBe(1)
    expect(reveal0.top).toHaveLength(5)
    expect(reveal0.top[0].score).toBeGreaterThanOrEqual(500)
    expect(reveal0.top[0].score).toBeLessThanOrEqual(1000)
    const mine = (await until(() => seen(phones[0], 'contest:result')[0])).payload
    expect(mine).toMatchObject({ index: 0, correct: true, score: mine.points })
    expect(seen(phones[20], 'contest:result')[0].payload).toMatchObject({ correct: false, points: 0, score: 0 })
    // A hall screen opened at the reveal (a second one, or the page reloaded) shows it again: the
    // question (without its key) and then its reveal.
    const reopened = { socket: await connected(admin), log: [] as Received[] }
    reopened.log = recordAll(reopened.socket)
    expect((await ack(reopened.socket, 'contest:host', { contestId: created.id })).ok).toBe(true)
    expect(seen(reopened, 'contest:state')[0].payload).toMatchObject({
      phase: 'reveal',
      index: 0,
      revealed: false,
      question: seen(host, 'contest:question')[0].payload.question,
    })
    expect((await until(() => seen(reopened, 'contest:reveal')[0])).payload).toEqual(reveal0)
    // An answer after the reveal is refused.
    expect(await ack(phones[29].socket, 'contest:answer', { contestId: created.id, index: 0, answer: true })).toMatchObject({
      ok: false,
      error: '本题已结束',
    })

    // A late joiner, and a phone that drops and rejoins with its score.
    const late = await phone(username(31))
    expect((await ack(late.socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    const scoreBefore = mine.score
    phones[0].socket.close()
    const again = await phone(username(1))
    expect((await ack(again.socket, 'contest:join', { pin: created.pin })).ok).toBe(true)
    // Its reveal is not sent to it again: it reads that question 1 is over, with its score and place.
    expect(seen(again, 'contest:state')[0].payload).toMatchObject({
      phase: 'reveal',
      index: 0,
      revealed: true,
      score: scoreBefore,
      rank: mine.rank,
    })
    phones[0] = again

    await ack(host.socket, 'contest:next', { contestId: created.id })
    await answerAll(1, [...phones, late])
    await until(() => seen(host, 'contest:reveal').find((e) => e.payload.index === 1), 5000)
    await ack(host.socket, 'contest:next', { contestId: created.id })
    await answerAll(2, [...phones, late])
    await until(() => seen(host, 'contest:reveal').find((e) => e.payload.index === 2), 5000)
    // The host may not skip past the end twice; the podium comes after the last reveal.
    expect(await ack(host.socket, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    const end = (await until(() => seen(host, 'contest:end')[0], 5000)).payload
    expect(end.podium.length).toBeGreaterThanOrEqual(3)
    expect(end.podium[0].rank).toBe(1)
    expect(phones.slice(0, 10).map((p) => p.userId)).toContain(end.podium[0].userId)
    await contestRuntimeOf(t.app)!.settle()

    for (const p of [...phones, late, host, reopened]) expect(keysSentEarly(p.log, 'contest:reveal')).toEqual([])

    const results = (await t.http().get(`/api/contests/${created.id}/results`).set(bearer(admin))).body
    expect(results).toHaveLength(31)
    expect(results[0]).toMatchObject({ rank: 1, userId: end.podium[0].userId, score: end.podium[0].score })
    expect(results.find((r: any) => r.userId === phones[0].userId).score).toBeGreaterThan(scoreBefore)
    const contest = (await t.http().get(`/api/contests/${created.id}`).set(bearer(admin))).body
    expect(contest).toMatchObject({ status: 'finished', players: 31, activityId: expect.any(Number) })
    const activity = await t.db
      .selectFrom('activities')
      .select(['type', 'org_id'])
      .where('id', '=', contest.activityId)
      .executeTakeFirstOrThrow()
    expect(activity).toEqual({ type: 'contest', org_id: org('厅机关党委').id })
    const participants = await t.db
      .selectFrom('activity_participants')
      .select('user_id')
      .where('activity_id', '=', contest.activityId)
      .execute()
    expect(participants).toHaveLength(31)

    const xlsx = await t.http().get(`/api/contests/${created.id}/export`).set(bearer(admin))
    expect(xlsx.status).toBe(200)
    expect(xlsx.headers['content-type']).toContain('spreadsheetml')
    // Finished: its PIN no longer admits anyone, and its hall screen does not open again.
    expect(await ack(late.socket, 'contest:join', { pin: created.pin })).toEqual({ ok: false, error: '竞答码无效，或该竞答已结束' })
    expect(await ack(host.socket, 'contest:host', { contestId: created.id })).toEqual({ ok: false, error: '本场竞答已结束' })
  })

  it('scores like Kahoot: 1000 at once down to 500 at the bell, 0 when wrong', () => {
    expect(contestPoints({ correct: true, tooFast: false, elapsedMs: 0 }, 20_000)).toBe(1000)
    expect(contestPoints({ correct: true, tooFast: false, elapsedMs: 10_000 }, 20_000)).toBe(750)
    expect(contestPoints({ correct: true, tooFast: false, elapsedMs: 20_000 }, 20_000)).toBe(500)
    expect(contestPoints({ correct: true, tooFast: true, elapsedMs: 10 }, 20_000)).toBe(500)
    expect(contestPoints({ correct: false, tooFast: false, elapsedMs: 10 }, 20_000)).toBe(0)
  })

  it('ranks by score: ties share a place, the next place counts everyone above it, ties listed by id', () => {
    const rows = [
      { userId: 4, score: 500 },
      { userId: 2, score: 900 },
      { userId: 9, score: 500 },
      { userId: 1, score: 500 },
      { userId: 7, score: 0 },
    ]
    expect(rankByScore(rows).map((r) => [r.userId, r.rank])).toEqual([
      [2, 1],
      [1, 2],
      [4, 2],
      [9, 2],
      [7, 5],
    ])
    expect(rankByScore([])).toEqual([])
  })
})

describe('attacks', () => {
  it('keeps players out of other contests, hosts out of other scopes, and players off the host controls', async () => {
    const sec = await t.login('sj_bgs')
    const mineC = (
      await t
        .http()
        .post('/api/contests')
        .set(bearer(sec))
        .send({ title: '办公室竞答', orgId: org('办公室党支部').id, questionIds: [], draw: { count: 2 }, secondsPerQuestion: 30 })
    ).body
    const host = await connected(sec)
    expect((await ack(host, 'contest:host', { contestId: mineC.id })).ok).toBe(true)

    // Another branch's secretary can neither host it nor play in it; a member cannot host at all.
    const other = await connected(await t.login('sj_dzxx'))
    expect(await ack(other, 'contest:host', { contestId: mineC.id })).toMatchObject({ ok: false })
    expect(await ack(other, 'contest:join', { pin: mineC.pin })).toMatchObject({ ok: false, error: expect.stringContaining('范围') })
    const member = await phone('dy0002')
    expect(await ack(member.socket, 'contest:host', { contestId: mineC.id })).toMatchObject({ ok: false })
    expect((await ack(member.socket, 'contest:join', { pin: mineC.pin })).ok).toBe(true)
    expect(await ack(member.socket, 'contest:next', { contestId: mineC.id })).toMatchObject({ ok: false })
    expect(await ack(member.socket, 'contest:join', { pin: '12' })).toMatchObject({ ok: false, error: expect.stringContaining('6 位') })

    // Answering a contest one has not joined (or that does not exist) is refused alike.
    await ack(host, 'contest:next', { contestId: mineC.id })
    const q = (await until(() => seen(member, 'contest:question')[0])).payload
    const stranger = await phone('dy0003')
    const gone = { ok: false, error: '竞答不存在或已结束' }
    expect(await ack(stranger.socket, 'contest:answer', { contestId: mineC.id, index: q.index, answer: true })).toEqual(gone)
    expect(await ack(stranger.socket, 'contest:answer', { contestId: 999999, index: 0, answer: true })).toEqual(gone)
    expect(seen(stranger, 'contest:question')).toEqual([])
    // A question that times out reveals by itself.
    await until(() => seen(member, 'contest:reveal')[0], 30 * SECOND_MS + 3000)

    // Joining in a flood is refused before it reaches the database.
    const floods = await Promise.all(Array.from({ length: 10 }, () => ack(stranger.socket, 'contest:join', { pin: '000000' })))
    expect(floods.some((r) => r.error?.includes('频繁'))).toBe(true)
  })
})
