// Rules of the question bank: one validation gate for every write, no duplicate questions, history
// kept on every edit, answered questions retired instead of deleted, imports all-or-nothing.
import type { Deps } from '../../lib/deps.js'
import { withTransaction, type Tx } from '../../lib/transaction.js'
import type { Insertable } from 'kysely'
import { sql, type Transaction } from 'kysely'
import type { Database, QuestionTable } from '../../db/types.js'
import { conflict, notFound, unprocessable, validationError } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { audit } from '../../lib/audit.js'
import { questionFingerprint, validateQuestion, type ParsedItem, type ParseResult } from './formats/index.js'
import type { QuestionInput, QuestionStatus } from './model.js'
import { toPortable, toQuestionDto, type QuestionDto, type QuestionRow } from './schemas.js'
import * as q from './queries.js'

/** Every write that may add a fingerprint takes this lock, so two writers cannot both miss a duplicate. */
const WRITE_LOCK = 0x71_75_65_73 // "ques"
export async function lockQuestionWrites(tx: Transaction<Database>) {
  await sql`select pg_advisory_xact_lock(${WRITE_LOCK})`.execute(tx)
}

// ---- validation ----

/** validateQuestion speaks zh-CN sentences; the API also names the field each one is about. */
const FIELD_OF: [RegExp, string][] = [
  [/^题干中有/, 'answer'],
  [/^题型/, 'type'],
  [/^题干/, 'stem'],
  [/不应有选项|^选项/, 'options'],
  [/答案|^填空题第/, 'answer'],
  [/^分类/, 'category'],
  [/^难度/, 'difficulty'],
  [/^标签/, 'tags'],
  [/^解析/, 'explanation'],
  [/^出处/, 'source'],
  [/^状态/, 'status'],
  [/^有效期/, 'validUntil'],
]
export const fieldOf = (message: string) => FIELD_OF.find(([re]) => re.test(message))?.[1] ?? '(整体)'

/** Validates an API body; throws 400 listing every problem with its field. */
export function checkQuestionBody(body: unknown): QuestionInput {
  const v = validateQuestion(body)
  if (!v.ok) {
    throw validationError(
      `题目不合法：${v.errors.join('；')}`,
      v.errors.map((message) => ({ field: fieldOf(message), message })),
    )
  }
  // A shipped question's stable id is the bank loader's business, never the caller's.
  delete v.value.bankId
  return v.value
}

export function normalizeCategory(path: string, field = 'category'): string {
  const parts = path.split('/').map((s) => s.trim())
  if (!path.trim() || parts.some((p) => !p))
    throw validationError(`分类“${path}”不合法：不能为空，层级之间用 / 分隔`, [{ field, message: '分类不合法' }])
  const clean = parts.join('/')
  if (clean.length > 200) throw validationError('分类不能超过 200 字', [{ field, message: '分类过长' }])
  return clean
}

async function assertNotDuplicate(db: Transaction<Database>, fingerprint: string, exceptId?: number) {
  const existing = (await q.idsByFingerprint(db, [fingerprint], exceptId)).get(fingerprint)
  if (existing !== undefined) {
    throw conflict(`题库中已有相同的题目（编号 ${existing}）：题干和选项相同`, [
      { field: 'stem', message: '重复的题目', existingId: existing },
    ])
  }
}

// ---- single questions ----

export async function createQuestion(deps: Deps, principal: Principal, body: unknown): Promise<QuestionDto> {
  const v = checkQuestionBody(body)
  const fingerprint = questionFingerprint(v)
  const id = await withTransaction(deps, async (tx) => {
    await lockQuestionWrites(tx)
    await assertNotDuplicate(tx, fingerprint)
    const [id] = await q.insertQuestions(tx, [
      { ...q.questionValues(v, fingerprint), status: v.status ?? 'published', author_id: principal.userId },
    ])
    await q.ensureCategories(tx, [v.category])
    await audit(tx, principal.userId, 'question.create', 'question', id, { category: v.category, type: v.type })
    return id
  })
  return toQuestionDto((await q.findQuestion(deps.db, id))!)
}

/** The snapshot kept in question_revisions: the question as it was, importable as is. */
export const snapshotOf = (row: QuestionRow) => ({ ...toPortable(row), version: row.version, ...(row.bank_id && { bankId: row.bank_id }) })

/** Replaces the content; status and validUntil keep their values when the body leaves them out. */
export async function replaceQuestion(deps: Deps, principal: Principal, id: number, body: Record<string, unknown>): Promise<QuestionDto> {
  const v = checkQuestionBody(body)
  const fingerprint = questionFingerprint(v)
  await withTransaction(deps, async (tx) => {
    await lockQuestionWrites(tx)
    const old = await q.findQuestion(tx, id)
    if (!old) throw notFound('题目')
    const status: QuestionStatus = v.status ?? old.status
    const validUntil = body.validUntil === undefined ? old.valid_until : (v.validUntil ?? null)
    const next = { ...v, status, validUntil: validUntil ?? undefined }
    if (samePortable(toPortable(old), next)) return // nothing changed: no new version
    await assertNotDuplicate(tx, fingerprint, id)
    await q.insertRevision(tx, { questionId: id, version: old.version, snapshot: snapshotOf(old), editorId: principal.userId })
    await q.updateQuestion(tx, id, {
      ...q.questionValues(v, fingerprint),
      valid_until: validUntil,
      status,
      version: old.version + 1,
      updated_at: deps.clock.now(),
    })
    await q.ensureCategories(tx, [v.category])
    await audit(tx, principal.userId, 'question.update', 'question', id, { version: old.version + 1 })
  })
  return toQuestionDto((await q.findQuestion(deps.db, id))!)
}

function samePortable(a: QuestionInput, b: QuestionInput): boolean {
  return stableJson(a) === stableJson(b)
}

/** JSON with object keys sorted and undefined dropped, so equal content compares equal whatever its source. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`
  if (v && typeof v === 'object') {
    const entries = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}

/**
 * Deletes a question nobody answered. One that was answered is retired instead (history stays
 * intact), and so is a shipped one: deleted, the next bank sync would only bring it back.
 */
export async function removeQuestion(deps: Deps, principal: Principal, id: number): Promise<QuestionDto | null> {
  return withTransaction(deps, async (tx) => {
    const row = await q.findQuestion(tx, id)
    if (!row) throw notFound('题目')
    const keep = (await q.isAnswered(tx, id)) ? 'answered' : row.bank_id ? 'shipped' : null
    if (keep) {
      if (row.status !== 'retired') await q.setStatus(tx, [id], 'retired', deps.clock.now())
      await audit(tx, principal.userId, 'question.retire', 'question', id, { reason: keep })
      return toQuestionDto((await q.findQuestion(tx, id))!)
    }
    await q.deleteQuestion(tx, id)
    await audit(tx, principal.userId, 'question.delete', 'question', id, { snapshot: snapshotOf(row) })
    return null
  })
}

export async function bulkUpdate(
  deps: Deps,
  principal: Principal,
  input: { ids: number[]; action: 'publish' | 'retire' | 'draft' | 'move' | 'tag'; category?: string; tags?: string[] },
): Promise<{ updated: number }> {
  const ids = [...new Set(input.ids)]
  const now = deps.clock.now()
  let category: string | undefined
  let tags: string[] = []
  if (input.action === 'move') {
    if (input.category === undefined) throw validationError('移动分类须提供 category', [{ field: 'category', message: '为必填项' }])
    category = normalizeCategory(input.category)
  }
  if (input.action === 'tag') {
    tags = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))]
    if (!tags.length) throw validationError('添加标签须提供 tags', [{ field: 'tags', message: '至少需要一个标签' }])
  }
  const updated = await withTransaction(deps, async (tx) => {
    let n: number
    if (input.action === 'move') {
      n = await q.setCategory(tx, ids, category!, now)
      await q.ensureCategories(tx, [category!])
    } else if (input.action === 'tag') n = await q.addTags(tx, ids, tags, now)
    else n = await q.setStatus(tx, ids, ({ publish: 'published', retire: 'retired', draft: 'draft' } as const)[input.action], now)
    await audit(tx, principal.userId, `question.bulk.${input.action}`, 'question', null, {
      ids,
      updated: n,
      ...(category && { category }),
      ...(tags.length && { tags }),
    })
    return n
  })
  return { updated }
}

// ---- categories ----

export async function createCategory(deps: Deps, principal: Principal, rawPath: string) {
  const path = normalizeCategory(rawPath, 'path')
  return withTransaction(deps, async (tx) => {
    if (await q.categoryExists(tx, path)) throw conflict(`分类“${path}”已存在`, [{ field: 'path', message: '分类已存在' }])
    await q.ensureCategories(tx, [path])
    await audit(tx, principal.userId, 'question.category.create', 'question_category', path)
    return { path, count: 0 }
  })
}

export async function deleteCategory(deps: Deps, principal: Principal, rawPath: string) {
  const path = normalizeCategory(rawPath, 'path')
  await withTransaction(deps, async (tx) => {
    const n = await q.countInSubtree(tx, path)
    if (n) throw conflict(`分类“${path}”及其下级还有 ${n} 道题，请先移走这些题目`, [{ field: 'path', message: '分类不为空', count: n }])
    if (!(await q.deleteCategorySubtree(tx, path))) throw notFound('分类')
    await audit(tx, principal.userId, 'question.category.delete', 'question_category', path)
  })
}

export async function renameCategory(deps: Deps, principal: Principal, rawFrom: string, rawTo: string) {
  const from = normalizeCategory(rawFrom, 'from')
  const to = normalizeCategory(rawTo, 'to')
  if (to === from || to.startsWith(`${from}/`))
    throw unprocessable('不能把分类移动到它自己或它的下级之下', [{ field: 'to', message: '目标分类不合法' }])
  return withTransaction(deps, async (tx) => {
    if (!(await q.categoryExists(tx, from)) && !(await q.countInSubtree(tx, from))) throw notFound('分类')
    const updated = await q.renameCategory(tx, from, to, deps.clock.now())
    await audit(tx, principal.userId, 'question.category.rename', 'question_category', from, { to, updated })
    return { updated }
  })
}

// ---- import ----

export interface ImportDuplicate {
  row: number
  existingId: number | null
  duplicateOfRow?: number
}
export interface QuestionImportResult {
  imported: number
  duplicates: ImportDuplicate[]
  errors: { row: number; message: string }[]
  dryRun: boolean
  preview?: (QuestionInput & { row: number; duplicate?: boolean })[]
}

interface ImportPlan {
  fresh: (ParsedItem & { fingerprint: string })[]
  duplicates: ImportDuplicate[]
}

/** Splits readable items into new questions and duplicates (of the bank, or of an earlier row). */
async function planImport(db: Transaction<Database> | Deps['db'], items: ParsedItem[]): Promise<ImportPlan> {
  const withFp = items.map((item) => ({ ...item, fingerprint: questionFingerprint(item.question) }))
  const existing = await q.idsByFingerprint(
    db,
    withFp.map((i) => i.fingerprint),
  )
  const firstRow = new Map<string, number>()
  const plan: ImportPlan = { fresh: [], duplicates: [] }
  for (const item of withFp) {
    const existingId = existing.get(item.fingerprint)
    const earlier = firstRow.get(item.fingerprint)
    if (existingId !== undefined) plan.duplicates.push({ row: item.row, existingId })
    else if (earlier !== undefined) plan.duplicates.push({ row: item.row, existingId: null, duplicateOfRow: earlier })
    else {
      firstRow.set(item.fingerprint, item.row)
      plan.fresh.push(item)
    }
  }
  return plan
}

/**
 * Import convention: a dry run writes nothing and lists everything; a real import with a bad
 * row writes nothing unless `skipInvalid`. Duplicates are reported, never inserted, never fatal.
 */
export async function importQuestions(
  deps: Deps,
  principal: Principal,
  parsed: ParseResult,
  opts: { dryRun: boolean; skipInvalid: boolean; asDraft?: boolean; filename: string },
): Promise<{ status: 200 | 422; body: QuestionImportResult }> {
  const errors = [...parsed.errors].sort((a, b) => a.row - b.row)
  const rejected = !opts.dryRun && errors.length > 0 && !opts.skipInvalid
  if (opts.dryRun || rejected) {
    const plan = await planImport(deps.db, parsed.items)
    const dup = new Set(plan.duplicates.map((d) => d.row))
    const body: QuestionImportResult = {
      imported: rejected ? 0 : plan.fresh.length,
      duplicates: plan.duplicates,
      errors,
      dryRun: opts.dryRun,
    }
    if (opts.dryRun) {
      body.preview = parsed.items.slice(0, 200).map((i) => ({ row: i.row, ...i.question, ...(dup.has(i.row) && { duplicate: true }) }))
    }
    return { status: rejected ? 422 : 200, body }
  }

  const now = deps.clock.now()
  const plan = await withTransaction(deps, async (tx) => {
    await lockQuestionWrites(tx)
    const plan = await planImport(tx, parsed.items)
    const rows: Insertable<QuestionTable>[] = plan.fresh.map((i) => ({
      ...q.questionValues(i.question, i.fingerprint),
      // A draft is never drawn into an exam or a practice round until someone publishes it.
      status: opts.asDraft ? 'draft' : (i.question.status ?? 'published'),
      author_id: principal.userId,
      created_at: now,
      updated_at: now,
    }))
    const ids = await q.insertQuestions(tx, rows)
    // A repeat of an earlier row now points at the question that row became.
    const idOfRow = new Map(plan.fresh.map((i, k) => [i.row, ids[k]]))
    for (const d of plan.duplicates) if (d.duplicateOfRow !== undefined) d.existingId = idOfRow.get(d.duplicateOfRow) ?? null
    await q.ensureCategories(
      tx,
      plan.fresh.map((i) => i.question.category),
    )
    await audit(tx, principal.userId, 'question.import', 'question', null, {
      file: opts.filename,
      imported: ids.length,
      duplicates: plan.duplicates.length,
      skipped: errors.length,
    })
    return plan
  })
  return { status: 200, body: { imported: plan.fresh.length, duplicates: plan.duplicates, errors, dryRun: false } }
}

/**
 * Takes a question out of publication for review (back to draft: no new paper or practice set
 * draws it; papers already drawn keep their snapshot), with the figures that raised the doubt.
 */
export async function holdForReview(
  tx: Tx,
  questionId: number,
  review: { examId: number; figures: Record<string, unknown>; by: number },
  at: Date,
) {
  const question = await q.findQuestion(tx, questionId)
  if (!question) throw notFound('题目')
  await q.setStatus(tx, [questionId], 'draft', at)
  const row = await tx
    .insertInto('question_reviews')
    .values({ question_id: questionId, exam_id: review.examId, figures: JSON.stringify(review.figures), requested_by: review.by, at })
    .returning('id')
    .executeTakeFirstOrThrow()
  await audit(tx, review.by, 'question.review', 'question', questionId, { examId: review.examId, ...review.figures })
  return { questionId, status: 'draft' as const, reviewId: row.id }
}
