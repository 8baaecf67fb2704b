// 错题本: a question answered wrong in any mode enters the book; it leaves after being answered
// right on two different days (spaced repetition), and a new mistake starts that count again.
// The book keeps each question in the form the person last met it — her option order, the key in
// her letters — so it never maps a shuffled exam or practice order back to the bank's.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Tx } from '../../lib/transaction.js'
import { publicQuestion, type PaperQuestion } from '../questions/index.js'

type Db = Kysely<Database>

export async function recordInWrongBook(db: Db | Tx, userId: number, question: PaperQuestion, correct: boolean, day: string, at: Date) {
  if (!correct) {
    const form = JSON.stringify(question)
    await db
      .insertInto('wrong_book')
      .values({ user_id: userId, question_id: question.id, right_days: '[]', added_at: at, last_wrong_at: at, question: form })
      .onConflict((oc) =>
        oc.columns(['user_id', 'question_id']).doUpdateSet({
          wrong_count: sql`wrong_book.wrong_count + 1`,
          right_days: '[]',
          last_wrong_at: at,
          cleared_at: null,
          question: form,
        }),
      )
      .execute()
    return
  }
  const entry = await db
    .selectFrom('wrong_book')
    .select(['right_days', 'cleared_at'])
    .where('user_id', '=', userId)
    .where('question_id', '=', question.id)
    .executeTakeFirst()
  if (!entry || entry.cleared_at) return
  const days = new Set(entry.right_days as string[])
  days.add(day)
  await db
    .updateTable('wrong_book')
    .set({ right_days: JSON.stringify([...days]), cleared_at: days.size >= 2 ? at : null })
    .where('user_id', '=', userId)
    .where('question_id', '=', question.id)
    .execute()
}

/** The form a wrong-book question is redone in: as the person last saw it (null when not in her book). */
export async function wrongBookItem(db: Db, userId: number, questionId: number): Promise<PaperQuestion | null> {
  const row = await db
    .selectFrom('wrong_book')
    .select('question')
    .where('user_id', '=', userId)
    .where('question_id', '=', questionId)
    .where('cleared_at', 'is', null)
    .where('question', 'is not', null)
    .executeTakeFirst()
  return row ? (row.question as PaperQuestion) : null
}

export async function wrongBook(db: Db, userId: number, category?: string) {
  let q = db
    .selectFrom('wrong_book')
    .innerJoin('questions', 'questions.id', 'wrong_book.question_id')
    .select([
      'questions.id',
      'questions.category',
      'wrong_book.question',
      'wrong_book.wrong_count',
      'wrong_book.right_days',
      'wrong_book.last_wrong_at',
    ])
    .where('wrong_book.user_id', '=', userId)
    .where('wrong_book.cleared_at', 'is', null)
    .where('wrong_book.question', 'is not', null)
  if (category) q = q.where((eb) => eb.or([eb('questions.category', '=', category), eb('questions.category', 'like', `${category}/%`)]))
  const rows = await q.orderBy('wrong_book.last_wrong_at', 'desc').execute()
  return rows.map((r) => {
    const seen = publicQuestion(r.question as PaperQuestion)
    return {
      questionId: r.id,
      type: seen.type,
      stem: seen.stem,
      options: seen.options,
      category: r.category,
      wrongCount: r.wrong_count,
      rightDays: (r.right_days as string[]).length,
      lastWrongAt: new Date(r.last_wrong_at).toISOString(),
    }
  })
}
