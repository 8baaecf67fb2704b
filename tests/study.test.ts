import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { randomUUID } from 'node:crypto'
import { ManualClock } from '../server/lib/clock.js'
import { serve } from '../server/modules/study/practice-items.js'
import type { AnswerKey } from '../server/modules/questions/model.js'
import { rightAnswer, wrongAnswer } from './helpers/answers.js'

const clock = new ManualClock(new Date('2026-11-30T01:00:00Z')) // 09:00 Shanghai
let t: TestContext
const sec = (n: number) => n * 1000

beforeAll(async () => {
  t = await createTestContext({ clock })
})
afterAll(async () => {
  await t?.close()
})

/**
 * The key as the question was last served to this person: practice shuffles options per person, so
 * letters differ from the bank's and from anyone else's serving of the same question.
 */
async function keyOf(
  username: string,
  questionId: number,
): Promise<{ type: string; answer: AnswerKey; options: { key: string }[] | null }> {
  const served = await t.db
    .selectFrom('practice_items')
    .innerJoin('users', 'users.id', 'practice_items.user_id')
    .select('practice_items.question')
    .where('users.username', '=', username)
    .where('practice_items.question_id', '=', questionId)
    .orderBy('practice_items.served_at', 'desc')
    .executeTakeFirstOrThrow()
  return served.question as any
}
const right = rightAnswer
const wrong = wrongAnswer

async function materials(token: string, kind: 'article' | 'video') {
  return (await t.http().get(`/api/study/materials?kind=${kind}&pageSize=50`).set(bearer(token))).body.items as any[]
}

describe('materials and verified study time', () => {
  it('lists the seeded channels and materials, sanitised', async () => {
    const token = await t.login('dy0030')
    const list = (await t.http().get('/api/study/materials').set(bearer(token))).body
    expect(list.total).toBeGreaterThanOrEqual(10)
    const one = (await t.http().get(`/api/study/materials/${list.items[0].id}`).set(bearer(token))).body
    expect(one.bodyHtml).toContain('<p>')
    expect(one.bodyHtml).not.toMatch(/<script/i)
  })

  it('admins publish materials; scripts are stripped; members cannot publish', async () => {
    const admin = await t.login('admin')
    const res = await t.http().post('/api/study/materials').set(bearer(admin)).send({
      channel: '党史',
      kind: 'article',
      title: '测试文章',
      bodyHtml: '<p>正文</p><script>alert(1)</script><img src="x" onerror="alert(1)">',
    })
    expect(res.status).toBe(201)
    // A picture that is not one of our uploads goes too (lib/rich-text.ts).
    expect(res.body.bodyHtml).toBe('<p>正文</p>')
    const bad = await t.http().post('/api/study/materials').set(bearer(admin)).send({ channel: '不存在', kind: 'article', title: 'x' })
    expect(bad.status).toBe(400)
    expect(
      (
        await t
          .http()
          .post('/api/study/materials')
          .set(bearer(await t.login('dy0030')))
          .send({ channel: '党史', kind: 'article', title: 'x' })
      ).status,
    ).toBe(403)
  })

  it('counts time only while visible, never more than wall time, even with two tabs', async () => {
    const token = await t.login('dy0031')
    const [a, b] = await materials(token, 'article')
    const beat = (id: number, visible = true) => t.http().post(`/api/study/materials/${id}/heartbeat`).set(bearer(token)).send({ visible })
    expect((await beat(a.id)).body.creditedSeconds).toBe(0) // the first beat starts the clock
    let credited = 0
    // Two tabs beating alternately every 7.5 s for 60 s of wall time.
    for (let i = 0; i < 8; i++) {
      clock.advance(7500)
      credited += (await beat(i % 2 ? b.id : a.id)).body.creditedSeconds
    }
    expect(credited).toBeLessThanOrEqual(60)
    expect(credited).toBeGreaterThanOrEqual(56)
    clock.advance(sec(15))
    expect((await beat(a.id, false)).body.creditedSeconds).toBe(0) // hidden page
    clock.advance(sec(300))
    expect((await beat(a.id)).body.creditedSeconds).toBe(0) // a long silence is not study time
  })

  it('awards 文章选读 once per article after 30 s, and 阅读时长 per 2 minutes, capped', async () => {
    const token = await t.login('dy0032')
    const [a] = await materials(token, 'article')
    const beat = () => t.http().post(`/api/study/materials/${a.id}/heartbeat`).set(bearer(token)).send({ visible: true })
    await beat()
    const awards: any[] = []
    for (let i = 0; i < 20; i++) {
      clock.advance(sec(15))
      awards.push(...(await beat()).body.awards)
    } // 300 s
    expect(awards.filter((x) => x.rule === 'article')).toEqual([{ rule: 'article', points: 1 }])
    expect(awards.filter((x) => x.rule === 'article_time')).toHaveLength(2) // 300 s / 120 s
  })
})

describe('answer modes and the 错题本', () => {
  it('daily quiz: five questions, feedback with 解析, one point per right answer, only from my set', async () => {
    const token = await t.login('dy0033')
    const set = (await t.http().get('/api/study/quiz/daily').set(bearer(token))).body
    expect(set.questions).toHaveLength(5)
    expect(JSON.stringify(set)).not.toMatch(/"answer"|explanation/)
    let points = 0
    for (const [i, q] of set.questions.entries()) {
      const k = await keyOf('dy0033', q.id)
      const res = await t
        .http()
        .post('/api/study/answers')
        .set(bearer(token))
        .send({ mode: 'daily', questionId: q.id, answer: i === 0 ? wrong(k) : right(k), elapsedMs: 4000 })
      expect(res.status).toBe(200)
      expect(res.body.correct).toBe(i !== 0)
      expect(res.body.correctAnswer).toEqual(k.answer)
      points += res.body.points
    }
    expect(points).toBe(4)
    // Answering the same question again is not graded: the first answer is final.
    const again = await t
      .http()
      .post('/api/study/answers')
      .set(bearer(token))
      .send({ mode: 'daily', questionId: set.questions[1].id, answer: right(await keyOf('dy0033', set.questions[1].id)) })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ALREADY_ANSWERED')
    const other = await t.db
      .selectFrom('questions')
      .select('id')
      .where(
        'id',
        'not in',
        set.questions.map((q: any) => q.id),
      )
      .where('status', '=', 'published')
      .executeTakeFirstOrThrow()
    expect(
      (await t.http().post('/api/study/answers').set(bearer(token)).send({ mode: 'daily', questionId: other.id, answer: true })).status,
    ).toBe(409)
    const book = (await t.http().get('/api/study/wrong-book').set(bearer(token))).body
    expect(book.map((b: any) => b.questionId)).toEqual([set.questions[0].id])
  })

  it('wrong-book: leaves after right answers on two different days; a new mistake brings it back', async () => {
    const token = await t.login('dy0034')
    const run = (await t.http().get('/api/study/quiz/random?size=1').set(bearer(token))).body
    const q = run.questions[0]
    const k = await keyOf('dy0034', q.id)
    // A mistake in a served set puts the question in the book; the book's redo grades only its own entries.
    const inRun = (a: unknown) =>
      t.http().post('/api/study/answers').set(bearer(token)).send({ mode: 'random', runId: run.runId, questionId: q.id, answer: a })
    const answer = (a: unknown) =>
      t.http().post('/api/study/answers').set(bearer(token)).send({ mode: 'wrongbook', questionId: q.id, answer: a })
    const inBook = async () => (await t.http().get('/api/study/wrong-book').set(bearer(token))).body.some((b: any) => b.questionId === q.id)
    expect((await answer(right(k))).status).toBe(409) // not in the book yet
    await inRun(wrong(k))
    expect(await inBook()).toBe(true)
    await answer(right(k))
    await answer(right(k))
    expect(await inBook()).toBe(true) // twice, but the same day
    clock.advance(86_400_000)
    await answer(right(k))
    expect(await inBook()).toBe(false)
    // The run's answer is final; a later run that draws the question again can bring it back.
    expect((await inRun(right(k))).status).toBe(409)
    const me = (await t.http().get('/api/me').set(bearer(token))).body
    const later = randomUUID()
    await serve(t.db, me.id, `random:${later}`, [q.id], clock.now())
    const again = await t
      .http()
      .post('/api/study/answers')
      .set(bearer(token))
      .send({ mode: 'random', runId: later, questionId: q.id, answer: wrong(await keyOf('dy0034', q.id)) })
    expect(again.status).toBe(200)
    expect(await inBook()).toBe(true)
  })

  it('challenge: one question after another until the first mistake', async () => {
    const token = await t.login('dy0035')
    const run = (await t.http().post('/api/study/challenge').set(bearer(token))).body
    let q = run.question
    const runId = run.runId
    let points = 0
    for (let i = 0; i < 3; i++) {
      const res = await t
        .http()
        .post('/api/study/answers')
        .set(bearer(token))
        .send({ mode: 'challenge', runId, questionId: q.id, answer: right(await keyOf('dy0035', q.id)) })
      expect(res.body.challenge).toMatchObject({ correct: i + 1, ended: false })
      points += res.body.points
      q = res.body.challenge.next
    }
    const out = await t
      .http()
      .post('/api/study/answers')
      .set(bearer(token))
      .send({ mode: 'challenge', runId, questionId: q.id, answer: wrong(await keyOf('dy0035', q.id)) })
    expect(out.body.challenge).toMatchObject({ correct: 3, ended: true, next: null })
    expect(points).toBe(3)
    expect(
      (await t.http().post('/api/study/answers').set(bearer(token)).send({ mode: 'challenge', runId, questionId: q.id, answer: true }))
        .status,
    ).toBe(409)
  })

  it('flags implausibly fast, uniform answering to the secretary', async () => {
    const bot = await t.login('dy0006')
    for (let i = 0; i < 12; i++) {
      const run = (await t.http().get('/api/study/quiz/random?size=1').set(bearer(bot))).body
      const q = run.questions[0]
      await t
        .http()
        .post('/api/study/answers')
        .set(bearer(bot))
        .send({
          mode: 'random',
          runId: run.runId,
          questionId: q.id,
          answer: q.type === 'judge' ? true : q.type === 'single' ? 'A' : q.type === 'multiple' ? ['A'] : Array(q.blanks).fill('x'),
          elapsedMs: 800,
        })
    }
    const flags = (
      await t
        .http()
        .get('/api/points/flags')
        .set(bearer(await t.login('sj_bgs')))
    ).body
    expect(flags.map((f: any) => f.name)).toHaveLength(1)
    expect(flags[0].reasons.join()).toMatch(/过快/)
    const otherSecretary = (
      await t
        .http()
        .get('/api/points/flags')
        .set(bearer(await t.login('sj_dzxx')))
    ).body
    expect(otherSecretary).toEqual([])
  })
})

describe("a member's day", () => {
  it('login, two articles, a video, the daily quiz with one mistake and a challenge run give exactly the rules', async () => {
    clock.set(new Date('2026-12-02T00:30:00Z')) // 08:30 Shanghai, a fresh day
    const { accessToken: token } = await t.tokens('dy0036') // 登录 +1
    const [a1, a2] = await materials(token, 'article')
    const [v1] = await materials(token, 'video')
    const read = async (id: number, seconds: number) => {
      await t.http().post(`/api/study/materials/${id}/heartbeat`).set(bearer(token)).send({ visible: true })
      for (let s = 0; s < seconds; s += 15) {
        clock.advance(sec(15))
        await t.http().post(`/api/study/materials/${id}/heartbeat`).set(bearer(token)).send({ visible: true })
      }
      clock.advance(sec(60)) // a pause between materials
    }
    await read(a1.id, 60) // 文章选读 +1
    await read(a2.id, 75) // 文章选读 +1; 135 s of reading → 阅读时长 +1
    await read(v1.id, 180) // 视听学习 +1; 180 s of video → 视听时长 +1
    const set = (await t.http().get('/api/study/quiz/daily').set(bearer(token))).body
    for (const [i, q] of set.questions.entries()) {
      const k = await keyOf('dy0036', q.id)
      await t
        .http()
        .post('/api/study/answers')
        .set(bearer(token))
        .send({ mode: 'daily', questionId: q.id, answer: i === 2 ? wrong(k) : right(k) })
    } // 每日答题 +4
    const run = (await t.http().post('/api/study/challenge').set(bearer(token))).body
    let q = run.question
    for (let i = 0; i < 2; i++)
      q = (
        await t
          .http()
          .post('/api/study/answers')
          .set(bearer(token))
          .send({ mode: 'challenge', runId: run.runId, questionId: q.id, answer: right(await keyOf('dy0036', q.id)) })
      ).body.challenge.next
    await t
      .http()
      .post('/api/study/answers')
      .set(bearer(token))
      .send({ mode: 'challenge', runId: run.runId, questionId: q.id, answer: wrong(await keyOf('dy0036', q.id)) }) // 挑战答题 +2

    const me = (await t.http().get('/api/points/me').set(bearer(token))).body
    const earned = Object.fromEntries(me.rules.map((r: any) => [r.rule, r.earnedToday]))
    expect(earned).toMatchObject({ login: 1, article: 2, article_time: 1, video: 1, video_time: 1, daily_quiz: 4, challenge: 2 })
    expect(me.today).toBe(1 + 2 + 1 + 1 + 1 + 4 + 2)
    const ledger = (await t.http().get('/api/points/ledger?pageSize=50').set(bearer(token))).body
    expect(ledger.items.filter((i: any) => i.day === '2026-12-02').reduce((s: number, i: any) => s + i.points, 0)).toBe(me.today)
    const book = (await t.http().get('/api/study/wrong-book').set(bearer(token))).body
    expect(book.map((b: any) => b.questionId)).toContain(set.questions[2].id)
    const board = (await t.http().get('/api/leaderboards/points?period=day').set(bearer(token))).body
    expect(board[0]).toMatchObject({ name: expect.any(String), points: me.today })
  })
})
