// The autosave group commit's own rules, on the real database (save_answers, a PL/pgSQL function):
// within one batch the later save of an answer wins; a save is written only into its owner's open
// attempt, whatever else is in the batch; only answers new to an attempt count as answered; and an
// attempt row a submit holds is skipped, then written once the submit lets go.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { TEST_DATABASE_URL } from './helpers/template-db.js'
import { lockRow } from './helpers/locks.js'
import { AutosaveBatcher, type SaveItem } from '../server/modules/attempts/autosave-batch.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

interface Started {
  attemptId: number
  userId: number
  questions: number[]
}

let t: TestContext
let batcher: AutosaveBatcher
const started: Record<string, Started> = {}

beforeAll(async () => {
  t = await createTestContext()
  batcher = new AutosaveBatcher(t.db, t.clock)
  const admin = await t.login(DEMO_ADMIN.username)
  const orgs: { id: number; name: string }[] = (await t.http().get('/api/orgs').set(bearer(admin))).body
  const exam = await createOpenExam(t, admin, {
    title: '批量保存规则',
    audienceOrgIds: [orgs.find((o) => o.name === '省工业和信息化厅')!.id],
    paper: { rules: [{ type: 'judge', count: 3, scoreEach: 30 }] },
  })
  for (const username of ['dy0001', 'dy0002', 'dy0003', 'dy0004']) {
    const token = await t.login(username)
    const res = await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(token)).send({})
    expect(res.status).toBe(200)
    const me = await t.http().get('/api/me').set(bearer(token))
    started[username] = {
      attemptId: res.body.attemptId,
      userId: me.body.id,
      questions: res.body.questions.map((q: { id: number }) => q.id),
    }
  }
})
afterAll(async () => {
  await batcher?.close()
  await t?.close()
})

const save = (who: Started, question: number, answer: unknown): SaveItem => ({
  attemptId: who.attemptId,
  userId: who.userId,
  questionId: question,
  answer,
})

async function stored(attemptId: number) {
  const answers = await t.db
    .selectFrom('attempt_answers')
    .select(['question_id', 'answer'])
    .where('attempt_id', '=', attemptId)
    .orderBy('question_id')
    .execute()
  const attempt = await t.db
    .selectFrom('attempts')
    .select(['answered_count', 'answers_version'])
    .where('id', '=', attemptId)
    .executeTakeFirstOrThrow()
  return { answers: Object.fromEntries(answers.map((a) => [a.question_id, a.answer])), ...attempt }
}

describe('autosave group commit', () => {
  it('keeps the later save of an answer sent in the same batch and counts each answer once', async () => {
    const a = started.dy0001
    const [q1, q2] = a.questions
    const before = await stored(a.attemptId)
    // Sent in one tick: one batch.
    const acks = await Promise.all([save(a, q1, true), save(a, q2, false), save(a, q1, false)].map((s) => batcher.save(s)))
    expect(acks).toEqual([true, true, true])
    const after = await stored(a.attemptId)
    expect(after.answers).toEqual({ [q1]: false, [q2]: false })
    expect(after.answered_count).toBe(2)
    expect(after.answers_version).toBeGreaterThan(before.answers_version)
    // Changing an answer already given does not count it again.
    expect(await batcher.save(save(a, q2, true))).toBe(true)
    expect(await stored(a.attemptId)).toMatchObject({ answered_count: 2, answers: { [q1]: false, [q2]: true } })
  })

  it("writes nothing into someone else's attempt, even beside the owner's saves in one batch", async () => {
    const owner = started.dy0002
    const other = started.dy0003
    const forged: SaveItem = { ...save(owner, owner.questions[0], false), userId: other.userId }
    const acks = await Promise.all([batcher.save(save(owner, owner.questions[1], true)), batcher.save(forged)])
    // The forged save names a pairing that is no open attempt: refused. The owner's goes in.
    expect(acks).toEqual([true, false])
    expect(await stored(owner.attemptId)).toMatchObject({ answered_count: 1, answers: { [owner.questions[1]]: true } })
  })

  it('refuses saves into a submitted attempt', async () => {
    const a = started.dy0003
    await t.db.updateTable('attempts').set({ status: 'submitted', submitted_at: t.clock.now() }).where('id', '=', a.attemptId).execute()
    expect(await batcher.save(save(a, a.questions[0], true))).toBe(false)
    expect((await stored(a.attemptId)).answers).toEqual({})
  })

  // PGlite has one connection: a second transaction holding a row cannot be made beside the batch.
  it.runIf(TEST_DATABASE_URL)('skips an attempt row a submit holds and writes the save once it is let go', async () => {
    const a = started.dy0004
    const b = started.dy0001
    const submit = await lockRow(t.db, 'attempts', a.attemptId)
    const blocked = batcher.save(save(a, a.questions[0], true))
    // A save of someone else in the meantime is not held up by the locked row.
    expect(await batcher.save(save(b, b.questions[2], true))).toBe(true)
    expect((await stored(a.attemptId)).answers).toEqual({})
    await submit.release()
    expect(await blocked).toBe(true)
    expect(await stored(a.attemptId)).toMatchObject({ answered_count: 1, answers: { [a.questions[0]]: true } })
  })
})
