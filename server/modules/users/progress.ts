// Progress of a person's running people import, for the console's 已处理 1200 / 5000 行. The import
// stays one request (its answer carries the generated initial passwords, which the server must not
// keep anywhere); the client names it with a random id of its own choosing and polls that id.
// Progress lives in the database (see the migration): the poll may reach another process or node.
//
// Rules an attacker meets: a row is keyed by the importer's user id, and read and written only with
// the caller's own id, so another staff member's poll finds nothing (404) whatever id she tries, and
// her imports can only overwrite her own row. A user has one row, so a flood of imports or ids grows
// nothing; writes are at most one per PROGRESS_WRITE_MS per running import, plus one a phase.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { UserImportProgress } from './schemas.js'

export type ImportPhase = UserImportProgress['phase']

export const PROGRESS_WRITE_MS = 250

/** Called by the import as it goes; resolves once the row is written (or the write was skipped). */
export type ReportProgress = (phase: ImportPhase, processed: number, total: number) => Promise<void>

/**
 * Writes `userId`'s progress row for import `importId`: the first report replaces whatever row she
 * had; later ones update it only while it is still this import's (a newer import of hers, from another
 * tab, wins). Same-phase reports closer together than PROGRESS_WRITE_MS are skipped, except the last
 * of a phase's run (processed = total). A failed write is logged and never fails the import.
 */
export function progressWriter(db: Kysely<Database>, userId: number, importId: string, onError: (err: unknown) => void): ReportProgress {
  let started = false
  let lastPhase: ImportPhase | null = null
  let lastAt = 0
  return async (phase, processed, total) => {
    const now = performance.now()
    if (phase === lastPhase && processed < total && now - lastAt < PROGRESS_WRITE_MS) return
    lastPhase = phase
    lastAt = now
    const values = { phase, processed, total, updated_at: new Date() }
    try {
      if (!started) {
        started = true
        await db
          .insertInto('user_import_progress')
          .values({ user_id: userId, import_id: importId, ...values })
          .onConflict((oc) => oc.column('user_id').doUpdateSet({ import_id: importId, ...values }))
          .execute()
      } else {
        await db.updateTable('user_import_progress').set(values).where('user_id', '=', userId).where('import_id', '=', importId).execute()
      }
    } catch (err) {
      onError(err)
    }
  }
}

/** The caller's own import `importId`, or undefined (never another user's: the key is her id). */
export async function readProgress(db: Kysely<Database>, userId: number, importId: string): Promise<UserImportProgress | undefined> {
  const row = await db
    .selectFrom('user_import_progress')
    .select(['phase', 'processed', 'total'])
    .where('user_id', '=', userId)
    .where('import_id', '=', importId)
    .executeTakeFirst()
  return row && { phase: row.phase as ImportPhase, processed: row.processed, total: row.total }
}
