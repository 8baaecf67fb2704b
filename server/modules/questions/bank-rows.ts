// Reading published bank questions as questions to ask (practice, battles, contests): the row as
// a PaperQuestion in bank order with its key, which stays on the server, and the two filters every
// draw uses. Dates are Asia/Shanghai days.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { AnswerKey } from './model.js'
import type { PaperQuestion } from './presentation.js'

/** Published and not expired on `today`. */
export const publishedOn = (today: string) => sql<boolean>`status = 'published' and (valid_until is null or valid_until >= ${today}::date)`

/**
 * Leaves out the given question ids (an open exam's, or those already asked). They go as one array
 * parameter: a statement takes at most 65,535 parameters, and an open exam drawing from a whole
 * category of the bank locks every question of it.
 */
export const notAmong = (ids: Set<number>) => (ids.size ? sql`and id <> all(${[...ids]}::int[])` : sql``)

/** Bank rows as questions in the order of `ids`, options not yet shuffled; missing ids are skipped. */
export async function loadBankQuestions(db: Kysely<Database>, ids: number[]): Promise<PaperQuestion[]> {
  if (!ids.length) return []
  const rows = await db
    .selectFrom('questions')
    .select(['id', 'type', 'stem', 'options', 'answer', 'explanation'])
    .where('id', 'in', ids)
    .execute()
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids
    .filter((id) => byId.has(id))
    .map((id) => {
      const r = byId.get(id)!
      return {
        id,
        type: r.type,
        stem: r.stem,
        options: r.options ?? undefined,
        answer: r.answer as AnswerKey,
        explanation: r.explanation,
        score: 1,
      }
    })
}
