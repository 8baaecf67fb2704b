// Loads the shipped bank (question-bank/*.yaml) into the database, at every start and when the
// test template is built. Matched by stable id; idempotent; never deletes (past attempts may
// reference a question), a question gone from the files is retired instead.
//
// What "changed" means: the file's content differs from what the last sync loaded from it. That
// state lives in `kv`, so an admin's edit of a shipped question in the console survives restarts
// until the file itself changes; without state (older databases) the database row is compared.
import { createHash } from 'node:crypto'
import path from 'node:path'
import type { Insertable, Kysely } from 'kysely'
import type { Database, QuestionTable } from '../../db/types.js'
import { loadBankDir, type BankQuestion } from './formats/bank.js'
import { questionFingerprint } from './formats/validate.js'
import type { QuestionInput } from './model.js'
import { toPortable, type QuestionRow } from './schemas.js'
import { lockQuestionWrites, snapshotOf, stableJson } from './service.js'
import * as q from './queries.js'
import { PROJECT_ROOT } from '../../lib/paths.js'

/** The shipped bank: question-bank/ at the repository root. */
export const BANK_DIR = path.join(PROJECT_ROOT, 'question-bank')

export interface BankSyncResult {
  inserted: number
  updated: number
  retired: number
  unchanged: number
  /** Problems in the files (bank:check reports the same); questions with problems are left as they are. */
  errors: string[]
}

const STATE_KEY = 'questions.bank-sync'

interface SyncState {
  /** bank id → hash of the file content last loaded. */
  hashes: Record<string, string>
  /** Bank ids this sync retired because they left the files: coming back publishes them again. */
  retired: string[]
}

/** The content a file decides: everything but status (an admin may publish or retire a shipped question). */
function content(v: QuestionInput): string {
  const { status: _status, bankId: _bankId, ...rest } = v
  return stableJson({ ...rest, tags: rest.tags?.length ? rest.tags : undefined, validUntil: rest.validUntil || undefined })
}
const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22)

export async function syncBank(db: Kysely<Database>, dir: string): Promise<BankSyncResult> {
  const bank = loadBankDir(dir)
  // Ids written in the files, valid or not: a question with a typo is not "gone".
  const inFiles = new Set(bank.files.flatMap((f) => f.ids))
  const result: BankSyncResult = { inserted: 0, updated: 0, retired: 0, unchanged: 0, errors: bank.errors }

  await db.transaction().execute(async (tx) => {
    // Several nodes starting together sync one after another; the later ones find nothing to do.
    await lockQuestionWrites(tx)
    const raw = await q.readKv(tx, STATE_KEY)
    const state: SyncState = raw ? JSON.parse(raw) : { hashes: {}, retired: [] }
    const next: SyncState = { hashes: {}, retired: state.retired.filter((id) => !inFiles.has(id)) }
    const comeBack = new Set(state.retired)
    const existing = await q.bankQuestions(tx)
    const now = new Date()

    const fresh: Insertable<QuestionTable>[] = []
    const changed: { row: QuestionRow; question: BankQuestion; restore: boolean; rewrite: boolean }[] = []
    for (const question of bank.questions) {
      const text = content(question)
      const h = hash(text)
      next.hashes[question.bankId] = h
      const row = existing.get(question.bankId)
      if (!row) {
        fresh.push({
          ...q.questionValues(question, questionFingerprint(question)),
          bank_id: question.bankId,
          status: 'published',
          created_at: now,
          updated_at: now,
        })
        continue
      }
      const restore = row.status === 'retired' && comeBack.has(question.bankId)
      const rewrite = state.hashes[question.bankId] !== h && content(toPortable(row)) !== text
      if (restore || rewrite) changed.push({ row, question, restore, rewrite })
      else result.unchanged++
    }

    await q.insertQuestions(tx, fresh)
    result.inserted = fresh.length
    for (const { row, question, restore, rewrite } of changed) {
      const status = restore ? 'published' : row.status
      if (rewrite) {
        await q.insertRevision(tx, { questionId: row.id, version: row.version, snapshot: snapshotOf(row), editorId: null })
        await q.updateQuestion(tx, row.id, {
          ...q.questionValues(question, questionFingerprint(question)),
          status,
          version: row.version + 1,
          updated_at: now,
        })
      } else {
        await q.updateQuestion(tx, row.id, { status, updated_at: now })
      }
      result.updated++
    }

    const gone = [...existing.values()].filter((r) => !inFiles.has(r.bank_id!) && r.status !== 'retired')
    if (gone.length)
      await q.setStatus(
        tx,
        gone.map((r) => r.id),
        'retired',
        now,
      )
    result.retired = gone.length
    next.retired.push(...gone.map((r) => r.bank_id!))
    // A question that failed to load this time keeps its state until it loads again.
    for (const id of inFiles) if (!(id in next.hashes) && state.hashes[id]) next.hashes[id] = state.hashes[id]

    await q.ensureCategories(tx, [...bank.files.map((f) => f.category), ...bank.questions.map((b) => b.category)])
    const serialized = stableJson(next)
    if (serialized !== (raw && stableJson(state))) await q.writeKv(tx, STATE_KEY, serialized, now)
  })
  return result
}
