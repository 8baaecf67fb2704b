// SQL of the question bank. Query functions take the database (or a transaction) first.
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type SqlBool,
  type Transaction,
  type Updateable,
} from 'kysely'
import type { Database, QuestionTable } from '../../db/types.js'
import type { QuestionInput, QuestionStatus, QuestionType } from './model.js'
import type { QuestionRow } from './schemas.js'

type Db = Kysely<Database> | Transaction<Database>

/** Rows per INSERT: 16 parameters each stays far below PostgreSQL's 65,535 per statement. */
const INSERT_BATCH = 1000
/** Values per `IN (…)` lookup. */
const LOOKUP_BATCH = 1000

const columns = [
  'questions.id',
  'questions.bank_id',
  'questions.type',
  'questions.stem',
  'questions.options',
  'questions.answer',
  'questions.explanation',
  'questions.category',
  'questions.tags',
  'questions.difficulty',
  'questions.source',
  'questions.status',
  'questions.version',
  'questions.author_id',
  'questions.created_at',
  'questions.updated_at',
] as const
// A `date` would come back as a JS Date at local midnight (pg) — keep it the YYYY-MM-DD the author wrote.
const validUntil = sql<string | null>`to_char(questions.valid_until, 'YYYY-MM-DD')`.as('valid_until')

/** `LIKE` pattern text for a literal string. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c)

/**
 * Serialises every JSON column ourselves: pg would send a JS array as a PostgreSQL array.
 * `extra` carries what is not content (status, bank id, author).
 */
export function questionValues(v: QuestionInput, fingerprint: string): Omit<Insertable<QuestionTable>, 'bank_id' | 'author_id' | 'status'> {
  return {
    type: v.type,
    stem: v.stem,
    options: v.options ? JSON.stringify(v.options) : null,
    answer: JSON.stringify(v.answer),
    explanation: v.explanation ?? null,
    category: v.category,
    tags: JSON.stringify(v.tags ?? []),
    difficulty: v.difficulty ?? 3,
    source: v.source ?? null,
    valid_until: v.validUntil ?? null,
    fingerprint,
  }
}

export interface QuestionFilter {
  category?: string
  type?: QuestionType
  difficulty?: number
  status?: QuestionStatus
  tag?: string
  q?: string
}

function matches(eb: ExpressionBuilder<Database, 'questions'>, f: QuestionFilter) {
  const conds: Expression<SqlBool>[] = []
  const category = f.category?.trim().replace(/\/+$/, '')
  if (category) {
    // A category means its whole subtree: 党史 finds 党史/新民主主义革命时期 too.
    conds.push(eb.or([eb('questions.category', '=', category), eb('questions.category', 'like', `${escapeLike(category)}/%`)]))
  }
  if (f.type) conds.push(eb('questions.type', '=', f.type))
  if (f.difficulty) conds.push(eb('questions.difficulty', '=', f.difficulty))
  if (f.status) conds.push(eb('questions.status', '=', f.status))
  if (f.tag?.trim()) conds.push(sql<SqlBool>`questions.tags @> ${JSON.stringify([f.tag.trim()])}::jsonb`)
  const text = f.q?.trim()
  if (text) {
    // One case-insensitive LIKE over the stored search text (stem, explanation, source and tags
    // joined by \x01, which nobody types), which the trigram index questions_search_text_trgm covers.
    // The pattern goes through the same lower() as the stored text, so both fold case alike.
    conds.push(sql<SqlBool>`questions.search_text like lower(${`%${escapeLike(text)}%`})`)
  }
  return eb.and(conds)
}

export async function searchQuestions(db: Kysely<Database>, f: QuestionFilter & { page: number; pageSize: number }) {
  const matching = (from: Db) => from.selectFrom('questions').where((eb) => matches(eb, f))
  const countOf = async (from: Db) =>
    (
      await matching(from)
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow()
    ).n
  if (!f.q?.trim()) {
    // Without text the newest-first page comes off the primary key; counting is a separate cheap scan.
    const page = matching(db)
      .select([...columns, validUntil])
      .orderBy('questions.id', 'desc')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
    const [items, total] = await Promise.all([page.execute(), countOf(db)])
    return { items: items as QuestionRow[], total }
  }
  // With text, sorting thousands of whole rows (stems, options, JSON) for a page of 20 is what made a
  // common word slow; so the page is chosen by id alone and only its 20 rows are read whole.
  const pageIds = matching(db)
    .select('questions.id')
    .orderBy('questions.id', 'desc')
    .limit(f.pageSize)
    .offset((f.page - 1) * f.pageSize)
  // Counting a common word (a sixth of 50,000 questions) through the trigram index takes 6 ms and
  // reading the whole table 17 ms, yet PostgreSQL prices the full read lower: it cannot see what a
  // LIKE on every row costs. So the count runs in its own transaction told not to read whole tables.
  const countMatches = () =>
    db.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx)
      return countOf(tx)
    })
  const pageRows = async () => {
    const ids = (await pageIds.execute()).map((r) => r.id)
    if (!ids.length) return []
    return db
      .selectFrom('questions')
      .select([...columns, validUntil])
      .where('questions.id', 'in', ids)
      .orderBy('questions.id', 'desc')
      .execute()
  }
  const [items, total] = await Promise.all([pageRows(), countMatches()])
  return { items: items as QuestionRow[], total }
}

/** Everything the filter matches, oldest first (exports). */
export async function allQuestions(db: Db, f: QuestionFilter): Promise<QuestionRow[]> {
  return (await db
    .selectFrom('questions')
    .where((eb) => matches(eb, f))
    .select([...columns, validUntil])
    .orderBy('questions.id')
    .execute()) as QuestionRow[]
}

export async function findQuestion(db: Db, id: number): Promise<QuestionRow | undefined> {
  return (await db
    .selectFrom('questions')
    .select([...columns, validUntil])
    .where('questions.id', '=', id)
    .executeTakeFirst()) as QuestionRow | undefined
}

/** Lowest question id per fingerprint, for those of `fingerprints` already in the bank. */
export async function idsByFingerprint(db: Db, fingerprints: string[], exceptId?: number): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  const unique = [...new Set(fingerprints)]
  for (let i = 0; i < unique.length; i += LOOKUP_BATCH) {
    let query = db
      .selectFrom('questions')
      .select(['fingerprint', sql<number>`min(id)::int`.as('id')])
      .where('fingerprint', 'in', unique.slice(i, i + LOOKUP_BATCH))
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId)
    for (const r of await query.groupBy('fingerprint').execute()) out.set(r.fingerprint, r.id)
  }
  return out
}

/** Batched insert; answers the new ids in input order. */
export async function insertQuestions(db: Db, rows: Insertable<QuestionTable>[]): Promise<number[]> {
  const ids: number[] = []
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    const inserted = await db
      .insertInto('questions')
      .values(rows.slice(i, i + INSERT_BATCH))
      .returning('id')
      .execute()
    // PostgreSQL returns the rows of a multi-row VALUES insert in order.
    ids.push(...inserted.map((r) => r.id))
  }
  return ids
}

export function updateQuestion(db: Db, id: number, patch: Updateable<QuestionTable>) {
  return db.updateTable('questions').set(patch).where('id', '=', id).execute()
}

export function insertRevision(
  db: Db,
  r: { questionId: number; version: number; snapshot: Record<string, unknown>; editorId: number | null },
) {
  return db
    .insertInto('question_revisions')
    .values({ question_id: r.questionId, version: r.version, snapshot: JSON.stringify(r.snapshot), editor_id: r.editorId })
    .execute()
}

export function listRevisions(db: Db, questionId: number) {
  return db
    .selectFrom('question_revisions')
    .leftJoin('users', 'users.id', 'question_revisions.editor_id')
    .select([
      'question_revisions.version',
      'question_revisions.snapshot',
      'question_revisions.editor_id',
      'question_revisions.at',
      'users.name as editor_name',
    ])
    .where('question_revisions.question_id', '=', questionId)
    .orderBy('question_revisions.version', 'desc')
    .execute()
}

/** Whether any attempt holds an answer to the question (then it can only be retired). */
export async function isAnswered(db: Db, questionId: number): Promise<boolean> {
  return !!(await db.selectFrom('attempt_answers').select('question_id').where('question_id', '=', questionId).limit(1).executeTakeFirst())
}

export async function deleteQuestion(db: Db, id: number) {
  await db.deleteFrom('question_revisions').where('question_id', '=', id).execute()
  await db.deleteFrom('questions').where('id', '=', id).execute()
}

export async function setStatus(db: Db, ids: number[], status: QuestionStatus, now: Date): Promise<number> {
  const r = await db
    .updateTable('questions')
    .set({ status, updated_at: now })
    .where('id', 'in', ids)
    .where('status', '!=', status)
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}

export async function setCategory(db: Db, ids: number[], category: string, now: Date): Promise<number> {
  const r = await db
    .updateTable('questions')
    .set({ category, updated_at: now })
    .where('id', 'in', ids)
    .where('category', '!=', category)
    .executeTakeFirst()
  return Number(r.numUpdatedRows)
}

/** Appends each tag the question does not have yet; answers how many questions changed. */
export async function addTags(db: Db, ids: number[], tags: string[], now: Date): Promise<number> {
  const changed = new Set<number>()
  for (const tag of tags) {
    const one = JSON.stringify([tag])
    const rows = await db
      .updateTable('questions')
      .set({ tags: sql`tags || ${one}::jsonb`, updated_at: now })
      .where('id', 'in', ids)
      .where(sql<SqlBool>`not (tags @> ${one}::jsonb)`)
      .returning('id')
      .execute()
    for (const r of rows) changed.add(r.id)
  }
  return changed.size
}

// ---- categories ----

export async function ensureCategories(db: Db, paths: string[]) {
  const unique = [...new Set(paths)].filter(Boolean)
  for (let i = 0; i < unique.length; i += LOOKUP_BATCH) {
    await db
      .insertInto('question_categories')
      .values(unique.slice(i, i + LOOKUP_BATCH).map((path) => ({ path })))
      .onConflict((oc) => oc.column('path').doNothing())
      .execute()
  }
}

/** Every category that exists on its own or has questions, with the number of questions filed exactly there. */
export async function listCategories(db: Db): Promise<{ path: string; count: number }[]> {
  const [declared, used] = await Promise.all([
    db.selectFrom('question_categories').select(['path', 'sort']).execute(),
    db
      .selectFrom('questions')
      .select(['category', sql<number>`count(*)::int`.as('n')])
      .groupBy('category')
      .execute(),
  ])
  const counts = new Map(used.map((r) => [r.category, r.n]))
  const sort = new Map(declared.map((r) => [r.path, r.sort]))
  const paths = new Set([...declared.map((r) => r.path), ...counts.keys()])
  return [...paths]
    .sort((a, b) => (sort.get(a) ?? 0) - (sort.get(b) ?? 0) || (a < b ? -1 : a > b ? 1 : 0))
    .map((path) => ({ path, count: counts.get(path) ?? 0 }))
}

export async function categoryExists(db: Db, path: string): Promise<boolean> {
  const declared = await db.selectFrom('question_categories').select('path').where('path', '=', path).executeTakeFirst()
  if (declared) return true
  return !!(await db.selectFrom('questions').select('id').where('category', '=', path).limit(1).executeTakeFirst())
}

const inSubtree = (column: string, path: string) =>
  sql<SqlBool>`(${sql.ref(column)} = ${path} or ${sql.ref(column)} like ${`${escapeLike(path)}/%`})`

export async function countInSubtree(db: Db, path: string): Promise<number> {
  const r = await db
    .selectFrom('questions')
    .select(sql<number>`count(*)::int`.as('n'))
    .where(inSubtree('category', path))
    .executeTakeFirstOrThrow()
  return r.n
}

export async function deleteCategorySubtree(db: Db, path: string): Promise<number> {
  const r = await db.deleteFrom('question_categories').where(inSubtree('path', path)).executeTakeFirst()
  return Number(r.numDeletedRows)
}

/** Renames (or moves) a category with everything below it; answers how many questions moved. */
export async function renameCategory(db: Db, from: string, to: string, now: Date): Promise<number> {
  const moved = await db
    .updateTable('questions')
    .set({ category: sql`${to}::text || substr(category, char_length(${from}::text) + 1)`, updated_at: now })
    .where(inSubtree('category', from))
    .executeTakeFirst()
  const declared = await db.selectFrom('question_categories').select('path').where(inSubtree('path', from)).execute()
  await db.deleteFrom('question_categories').where(inSubtree('path', from)).execute()
  await ensureCategories(
    db,
    declared.map((r) => to + r.path.slice(from.length)),
  )
  return Number(moved.numUpdatedRows)
}

/** Every question that came from the shipped bank, keyed by its stable id. */
export async function bankQuestions(db: Db): Promise<Map<string, QuestionRow>> {
  const rows = (await db
    .selectFrom('questions')
    .select([...columns, validUntil])
    .where('questions.bank_id', 'is not', null)
    .execute()) as QuestionRow[]
  return new Map(rows.map((r) => [r.bank_id!, r]))
}

export async function readKv(db: Db, key: string): Promise<string | undefined> {
  return (await db.selectFrom('kv').select('value').where('key', '=', key).executeTakeFirst())?.value
}

export async function writeKv(db: Db, key: string, value: string, now: Date) {
  await db
    .insertInto('kv')
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute()
}
