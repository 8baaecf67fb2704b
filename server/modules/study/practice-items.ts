// What practice served to whom. Practice grades, and reveals the key of, only a question the
// server itself handed that person for that set, in the form she saw (options shuffled for her,
// the key in her letters). Nothing else can be graded: not an arbitrary id, not another person's
// set, not a question locked by one of her open exams, not one withdrawn from the bank.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Tx } from '../../lib/transaction.js'
import { loadBankQuestions, publishedOn, shuffleOptions, type PaperQuestion } from '../questions/index.js'

type Db = Kysely<Database>

/** The items of one set in served order. */
export async function servedItems(db: Db, userId: number, setKey: string): Promise<PaperQuestion[]> {
  const rows = await db
    .selectFrom('practice_items')
    .select('question')
    .where('user_id', '=', userId)
    .where('set_key', '=', setKey)
    .orderBy('position')
    .execute()
  return rows.map((r) => r.question as PaperQuestion)
}

export async function servedItem(db: Db, userId: number, setKey: string, questionId: number): Promise<PaperQuestion | null> {
  const row = await db
    .selectFrom('practice_items')
    .select('question')
    .where('user_id', '=', userId)
    .where('set_key', '=', setKey)
    .where('question_id', '=', questionId)
    .executeTakeFirst()
  return row ? (row.question as PaperQuestion) : null
}

/**
 * Serves `ids` as set `setKey`: each question with options shuffled for this person, recorded
 * before it is returned. A set already served keeps its first form (a reload shows the same order).
 */
export async function serve(db: Db, userId: number, setKey: string, ids: number[], now: Date): Promise<PaperQuestion[]> {
  const questions = (await loadBankQuestions(db, ids)).map((q) => shuffleOptions(q))
  if (questions.length) {
    const first = (
      await sql<{
        n: number
      }>`select coalesce(max(position), -1)::int + 1 as n from practice_items where user_id = ${userId} and set_key = ${setKey}`.execute(db)
    ).rows[0].n
    await db
      .insertInto('practice_items')
      .values(
        questions.map((q, i) => ({
          user_id: userId,
          set_key: setKey,
          question_id: q.id,
          position: first + i,
          question: JSON.stringify(q),
          served_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['user_id', 'set_key', 'question_id']).doNothing())
      .execute()
  }
  const stored = new Map((await servedItems(db, userId, setKey)).map((q) => [q.id, q]))
  return ids.map((id) => stored.get(id)).filter((q): q is PaperQuestion => !!q)
}

/**
 * The sets that share one first answer per question: all 专项答题 sets of one day (any category or
 * size), since they pay their point once per question and day; otherwise the set itself (a daily
 * set, a weekly set, a run).
 */
const answerGroupOf = (setKey: string) => (setKey.startsWith('special:') ? setKey.split(':', 2).join(':') : setKey)

/**
 * Records the first answer to a question in its set's group: false when there is one already. The
 * row's key is unique, so of two answers at once the second waits for the first to commit and then
 * inserts nothing — only one of them is graded.
 */
export async function claimAnswer(tx: Tx, userId: number, setKey: string, questionId: number, at: Date): Promise<boolean> {
  const claimed = await tx
    .insertInto('practice_first_answers')
    .values({ user_id: userId, answer_group: answerGroupOf(setKey), question_id: questionId, at })
    .onConflict((oc) => oc.columns(['user_id', 'answer_group', 'question_id']).doNothing())
    .returning('at')
    .executeTakeFirst()
  return !!claimed
}

/** Whether the first answer to a question in its set's group was right (null: not known). */
export async function firstVerdict(db: Db | Tx, userId: number, setKey: string, questionId: number, mode: string): Promise<boolean | null> {
  const row = await db
    .selectFrom('practice_first_answers as f')
    .innerJoin('practice_answers as pa', (j) =>
      j.onRef('pa.user_id', '=', 'f.user_id').onRef('pa.question_id', '=', 'f.question_id').onRef('pa.at', '=', 'f.at'),
    )
    .select('pa.correct')
    .where('f.user_id', '=', userId)
    .where('f.answer_group', '=', answerGroupOf(setKey))
    .where('f.question_id', '=', questionId)
    .where('pa.mode', '=', mode)
    .executeTakeFirst()
  return row?.correct ?? null
}

/** Whether the bank still offers this question today (not retired, not expired). */
export async function stillPublished(db: Db, questionId: number, today: string): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select ${publishedOn(today)} as ok from questions where id = ${questionId}`.execute(db)
  return rows[0]?.ok === true
}
