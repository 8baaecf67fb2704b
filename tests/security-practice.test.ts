// Attack: practice as an answer-key oracle. On the landed main a member posted her open, shuffled
// exam's question ids to POST /api/study/answers, got every key back, mapped the shuffled options
// through the wrong-book's original order and scored 100/100. Practice now grades only what it
// served to that person for that run, only published questions, never one that sits on an exam
// still open for her; the wrong-book keeps the order she saw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { rightAnswer, wrongAnswer } from './helpers/answers.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
let member: string
let other: string
let orgs: any[]
const CATEGORY = '测试/考试专用'
const examQuestionIds: number[] = []
let exam: any

const answers = (token: string, body: object) => t.http().post('/api/study/answers').set(bearer(token)).send(body)
/** Every string in a JSON body, so a test can say a key is nowhere in it. */
const noKeyIn = (body: unknown) => expect(JSON.stringify(body)).not.toMatch(/correctAnswer|"answer"|explanation/)

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  member = await t.login('dy0001')
  other = await t.login('dy0002')
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
  for (let i = 0; i < 4; i++) {
    const q = await t
      .http()
      .post('/api/questions')
      .set(bearer(admin))
      .send({
        type: 'single',
        stem: `考试专用题 ${i}：下列哪一项是第 ${i} 个选项？`,
        category: CATEGORY,
        answer: 'A',
        options: [
          { key: 'A', text: `正确项${i}` },
          { key: 'B', text: `干扰项甲${i}` },
          { key: 'C', text: `干扰项乙${i}` },
          { key: 'D', text: `干扰项丙${i}` },
        ],
      })
    expect(q.status).toBe(201)
    examQuestionIds.push(q.body.id)
  }
  exam = await createOpenExam(t, admin, {
    title: '保密测试',
    audienceOrgIds: [orgs.find((o) => o.name === '办公室党支部').id],
    passScore: 60,
    shuffleQuestions: true,
    shuffleOptions: true,
    paper: { rules: [{ category: CATEGORY, type: 'single', count: 4, scoreEach: 25 }] },
  })
})
afterAll(async () => {
  await t?.close()
})

describe('practice is no key oracle for an open exam', () => {
  it("refuses to grade the exam's questions in any mode, with or without a run, and reveals no key", async () => {
    const started = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).body
    const mine = started.questions as { id: number }[]
    expect(mine.map((q) => q.id).sort()).toEqual([...examQuestionIds].sort())
    const run = (await t.http().get('/api/study/quiz/random?size=5').set(bearer(member))).body
    for (const q of mine) {
      for (const body of [
        { mode: 'random', questionId: q.id, answer: 'A' },
        { mode: 'random', runId: run.runId, questionId: q.id, answer: 'A' },
        { mode: 'daily', questionId: q.id, answer: 'A' },
        { mode: 'wrongbook', questionId: q.id, answer: 'A' },
        { mode: 'special', category: CATEGORY, questionId: q.id, answer: 'A' },
      ]) {
        const res = await answers(member, body)
        expect([400, 409]).toContain(res.status)
        noKeyIn(res.body)
      }
    }
  })

  it("never serves an open exam's questions to the people who can still sit it", async () => {
    for (const path of [
      `/api/study/quiz/random?size=20&category=${encodeURIComponent(CATEGORY)}`,
      `/api/study/quiz/special?size=10&category=${encodeURIComponent(CATEGORY)}`,
    ]) {
      const set = (await t.http().get(path).set(bearer(other))).body // dy0002 has not started yet: still open for her
      expect(set.questions.map((q: any) => q.id).filter((id: number) => examQuestionIds.includes(id))).toEqual([])
    }
    const challenge = (await t.http().post('/api/study/challenge').set(bearer(other))).body
    expect(examQuestionIds).not.toContain(challenge.question?.id)
  })

  it('serves them again once the person has no attempt left', async () => {
    const started = (await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member)).send({})).body
    await t.http().post(`/api/attempts/${started.attemptId}/submit`).set(bearer(member)).expect(200)
    const set = (
      await t
        .http()
        .get(`/api/study/quiz/random?size=20&category=${encodeURIComponent(CATEGORY)}`)
        .set(bearer(member))
    ).body
    expect(set.questions.map((q: any) => q.id).sort()).toEqual([...examQuestionIds].sort())
    // …but still not to a colleague who has not sat it.
    const theirs = (
      await t
        .http()
        .get(`/api/study/quiz/random?size=20&category=${encodeURIComponent(CATEGORY)}`)
        .set(bearer(other))
    ).body
    expect(theirs.questions).toEqual([])
  })
})

describe('practice grades only what it served to that person', () => {
  it("an arbitrary bank id, another person's run, or a made-up run is refused without a key", async () => {
    const mine = (await t.http().get('/api/study/quiz/random?size=3').set(bearer(member))).body
    // A real judge question of the bank that this run did not serve: any of its three may be any question.
    const served: number[] = mine.questions.map((q: { id: number }) => q.id)
    const bankQuestion = await t.db
      .selectFrom('questions')
      .select('id')
      .where('status', '=', 'published')
      .where('type', '=', 'judge')
      .where('id', 'not in', served)
      .executeTakeFirstOrThrow()
    for (const [token, body] of [
      [
        member,
        {
          mode: 'random',
          runId: mine.runId,
          questionId: bankQuestion.id,
          answer: true,
        },
      ],
      [other, { mode: 'random', runId: mine.runId, questionId: mine.questions[0].id, answer: true }],
      [member, { mode: 'random', runId: 'made-up', questionId: mine.questions[0].id, answer: true }],
      [member, { mode: 'challenge', runId: 'made-up', questionId: mine.questions[0].id, answer: true }],
    ] as const) {
      const res = await answers(token, body)
      expect(res.status).toBe(409)
      expect(res.body.error.code).toBe('NOT_SERVED')
      noKeyIn(res.body)
    }
  })

  it('a question withdrawn from the bank after it was served is not graded', async () => {
    const q = (
      await t
        .http()
        .post('/api/questions')
        .set(bearer(admin))
        .send({ type: 'judge', stem: '即将停用的练习题：这是一道判断题。', category: '测试/停用', answer: true })
    ).body
    const set = (
      await t
        .http()
        .get(`/api/study/quiz/random?size=5&category=${encodeURIComponent('测试/停用')}`)
        .set(bearer(member))
    ).body
    expect(set.questions.map((x: any) => x.id)).toEqual([q.id])
    await t
      .http()
      .post('/api/questions/bulk')
      .set(bearer(admin))
      .send({ ids: [q.id], action: 'draft' })
      .expect(200)
    const res = await answers(member, { mode: 'random', runId: set.runId, questionId: q.id, answer: true })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('QUESTION_WITHDRAWN')
    noKeyIn(res.body)
  })

  it('shuffles options per person and keeps that order in the wrong-book', async () => {
    const set = (await t.http().get('/api/study/quiz/random?size=20').set(bearer(other))).body
    const withOptions = set.questions.filter((q: any) => q.type === 'single' || q.type === 'multiple')
    expect(withOptions.length).toBeGreaterThan(5)
    const bank = new Map(
      (
        await t.db
          .selectFrom('questions')
          .select(['id', 'options'])
          .where(
            'id',
            'in',
            withOptions.map((q: any) => q.id),
          )
          .execute()
      ).map((r) => [r.id, r.options]),
    )
    const reordered = withOptions.filter(
      (q: any) => JSON.stringify(q.options.map((o: any) => o.text)) !== JSON.stringify((bank.get(q.id) as any[]).map((o) => o.text)),
    )
    expect(reordered.length).toBeGreaterThan(0)
    // Answer one wrong on purpose; the book shows it exactly as served, letters and order.
    const q = withOptions[0]
    const served = (
      await t.db
        .selectFrom('practice_items')
        .select('question')
        .where('question_id', '=', q.id)
        .where('set_key', '=', `random:${set.runId}`)
        .executeTakeFirstOrThrow()
    ).question as any
    const wrongKey = q.options.find((o: any) => ![served.answer].flat().includes(o.key)).key
    const res = await answers(other, {
      mode: 'random',
      runId: set.runId,
      questionId: q.id,
      answer: q.type === 'single' ? wrongKey : [wrongKey],
    })
    expect(res.status).toBe(200)
    expect(res.body.correct).toBe(false)
    const book = (await t.http().get('/api/study/wrong-book').set(bearer(other))).body
    expect(book.find((b: any) => b.questionId === q.id).options).toEqual(q.options)
    // Redone from the book, it is graded in the same letters it was shown in.
    const redo = await answers(other, { mode: 'wrongbook', questionId: q.id, answer: res.body.correctAnswer })
    expect(redo.body.correct).toBe(true)
  })
})

/** A daily set as served to `token`, with each question's key in that person's letters. */
async function dailySetWithKeys(token: string) {
  const me = (await t.http().get('/api/me').set(bearer(token))).body
  const set = (await t.http().get('/api/study/quiz/daily').set(bearer(token))).body
  const served = await t.db
    .selectFrom('practice_items')
    .select(['question_id', 'question'])
    .where('user_id', '=', me.id)
    .where('set_key', 'like', 'daily:%')
    .execute()
  const keys = new Map(served.map((s) => [s.question_id, s.question as any]))
  return { userId: me.id as number, questions: set.questions as { id: number }[], keys }
}

describe('the first answer to a practice question is final', () => {
  it('answering the same daily question again, with the key just shown, earns no point', async () => {
    const member = await t.login('dy0030')
    const { questions, keys } = await dailySetWithKeys(member)
    expect(questions.length).toBe(5)
    let points = 0
    for (const q of questions) {
      const first = await answers(member, { mode: 'daily', questionId: q.id, answer: wrongAnswer(keys.get(q.id)) })
      expect(first.status).toBe(200)
      expect(first.body.correct).toBe(false)
      points += first.body.points
      // The feedback carried the key; answer again with it (a blank's first accepted wording: a fill
      // question's key lists every wording it accepts, which is not an answer's shape).
      expect(first.body.correctAnswer).toEqual(keys.get(q.id).answer)
      const again = await answers(member, { mode: 'daily', questionId: q.id, answer: rightAnswer(keys.get(q.id)) })
      if (again.status === 200) points += again.body.points
      expect(again.status).toBe(409)
      expect(again.body.error.code).toBe('ALREADY_ANSWERED')
      // It says what the first answer was, so a second tab can show the same feedback.
      expect(again.body.error.details).toMatchObject({ correct: false, correctAnswer: first.body.correctAnswer })
    }
    // Five wrong answers: 0 points (before the fix: 5, every one bought back with its key).
    expect(points).toBe(0)
    const set = (await t.http().get('/api/study/quiz/daily').set(bearer(member))).body
    expect(Object.values(set.answered)).toEqual(Array(5).fill({ correct: false }))
  })

  it('two answers to one question at once: only one is graded', async () => {
    const member = await t.login('dy0031')
    const { userId, questions, keys } = await dailySetWithKeys(member)
    const q = questions[0]
    const key = keys.get(q.id)
    // A wrong and a right answer racing (two tabs, a replayed request): both were graded before.
    const both = await Promise.all([
      answers(member, { mode: 'daily', questionId: q.id, answer: wrongAnswer(key) }),
      answers(member, { mode: 'daily', questionId: q.id, answer: rightAnswer(key) }),
    ])
    expect(both.map((r) => r.status).sort()).toEqual([200, 409])
    const graded = both.find((r) => r.status === 200)!
    const recorded = await t.db
      .selectFrom('practice_answers')
      .select('correct')
      .where('user_id', '=', userId)
      .where('question_id', '=', q.id)
      .where('mode', '=', 'daily')
      .execute()
    expect(recorded).toEqual([{ correct: graded.body.correct }])
    // A point only for the graded answer, and only if it was right.
    const earned = await t.db
      .selectFrom('point_ledger')
      .select('points')
      .where('user_id', '=', userId)
      .where('rule_code', '=', 'daily_quiz')
      .execute()
    expect(earned.length).toBe(graded.body.correct ? 1 : 0)
  })
})

describe('one day’s 专项答题 sets count as one set', () => {
  it('a question answered in the 5-question set cannot be answered again in the 10-question set of the same category', async () => {
    // dy0020 is not in the exam's audience, so all four of the category's questions are served to
    // her, in both sets: the 10-question set and the 5-question set share every one of them.
    const member = await t.login('dy0020')
    const path = (size: number) => `/api/study/quiz/special?size=${size}&category=${encodeURIComponent(CATEGORY)}`
    const five = (await t.http().get(path(5)).set(bearer(member))).body.questions as { id: number }[]
    const ten = (await t.http().get(path(10)).set(bearer(member))).body.questions as { id: number }[]
    const shared = five.find((q) => ten.some((x) => x.id === q.id))!
    expect(shared).toBeDefined()
    const me = (await t.http().get('/api/me').set(bearer(member))).body
    // Each set shuffles its options apart: the key of each, in its own letters.
    const keyIn = async (size: number) =>
      (
        await t.db
          .selectFrom('practice_items')
          .select('question')
          .where('user_id', '=', me.id)
          .where('question_id', '=', shared.id)
          .where('set_key', 'like', `special:%:${size}:%`)
          .executeTakeFirstOrThrow()
      ).question as any
    const first = await answers(member, {
      mode: 'special',
      category: CATEGORY,
      size: 5,
      questionId: shared.id,
      answer: wrongAnswer(await keyIn(5)),
    })
    expect(first.status).toBe(200)
    expect(first.body.correct).toBe(false)
    // The feedback showed the key; the same question in the other set would pay for it.
    const again = await answers(member, {
      mode: 'special',
      category: CATEGORY,
      size: 10,
      questionId: shared.id,
      answer: (await keyIn(10)).answer,
    })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('ALREADY_ANSWERED')
    const earned = await t.db
      .selectFrom('point_ledger')
      .select('points')
      .where('user_id', '=', me.id)
      .where('rule_code', '=', 'special_quiz')
      .execute()
    expect(earned).toEqual([])
  })
})
