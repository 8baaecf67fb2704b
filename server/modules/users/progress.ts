// Progress of a person's running people import, for the console's 已处理 1200 / 5000 行. The import
// stays one request (its answer carries the generated initial passwords, which the server must not
// keep anywhere); the client names it with a random id of its own choosing and polls that id.
// Progress lives in the database (see the migration): the poll may reach another process or node.
//
// Rules an attacker meets: a row is keyed by the importer's user id, and read and written only with
// the caller's own id, so another staff member's poll finds nothing (404) whatever id she tries, and
// her imports can only overwrite her own row. A user has one row, so a flood of imports or ids grows
// nothing; writes are at most one per write interval per running import, one a phase, and one a
// heartbeat.
//
// A process that dies mid-import (a restart, a crash, a lost machine) leaves its row running for
// good. A poll therefore answers a running row nobody has touched for PROGRESS_STALE_MS as failed,
// with IMPORT_INTERRUPTED. That message promises nothing was written, which holds because the people
// are written in one transaction that also marks the row done (importUsers): a row that never got to
// done belongs to an import whose transaction never committed.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Clock } from '../../lib/clock.js'
import type { Tx } from '../../lib/transaction.js'
import type { UserImportProgress } from './schemas.js'

export type ImportPhase = UserImportProgress['phase']

/** Same-phase reports closer together than this are not written (the default; tests set 0 to write every step). */
export const PROGRESS_WRITE_MS = 250

/**
 * While an import runs its row is touched at least this often, also through steps that report
 * nothing for a while: a sheet read queued behind others (up to a minute), a long write transaction.
 */
export const PROGRESS_HEARTBEAT_MS = 5_000

/**
 * A running row untouched for this long belongs to a process that is gone. Six heartbeats: a live
 * import whose event loop or database pool is slow for a few of them (seconds on an exam morning)
 * is not declared dead, and a person who lost hers hears so within half a minute. Rows are stamped
 * and judged by the nodes' clocks, which NTP keeps within milliseconds of each other.
 */
export const PROGRESS_STALE_MS = 30_000

export const IMPORT_INTERRUPTED = '导入中断（服务器重启或出错），没有写入任何人员，请重新导入'

const FINAL_PHASES: readonly ImportPhase[] = ['done', 'failed']

/**
 * Called by the import as it goes; resolves once the row is written (or the write was skipped).
 * With `tx` the row is written in that transaction, and a failed write fails it (see progressWriter).
 */
export type ReportProgress = (phase: ImportPhase, processed: number, total: number, tx?: Tx) => Promise<void>

export interface ProgressWriter {
  report: ReportProgress
  /** Stops the heartbeat; called when the request ends, however it ends. */
  stop(): void
}

/**
 * Writes `userId`'s progress row for import `importId`: the first report replaces whatever row she
 * had; later ones update it only while it is still this import's (a newer import of hers, from another
 * tab, wins) and still running (a committed done is never turned into failed). Same-phase reports
 * closer together than `writeMs` are skipped, except the last of a phase's run (processed = total).
 * A failed write is logged and never fails the import, except one made inside the import's
 * transaction: swallowed there, it would leave the transaction aborted, and PostgreSQL answers COMMIT
 * on an aborted transaction by rolling back without an error, so the import would report people
 * created that were never written.
 */
export function progressWriter(
  deps: { db: Kysely<Database>; clock: Clock },
  userId: number,
  importId: string,
  opts: { writeMs?: number; heartbeatMs?: number; onError: (err: unknown) => void },
): ProgressWriter {
  const writeMs = opts.writeMs ?? PROGRESS_WRITE_MS
  let started = false
  let lastPhase: ImportPhase | null = null
  let lastAt = 0
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let beating = false
  const stop = () => clearInterval(heartbeat)
  const stillRunning = (db: Kysely<Database> | Tx) =>
    db
      .updateTable('user_import_progress')
      .where('user_id', '=', userId)
      .where('import_id', '=', importId)
      .where('phase', 'not in', FINAL_PHASES)

  const beat = async () => {
    if (beating) return
    beating = true
    try {
      await stillRunning(deps.db).set({ updated_at: deps.clock.now() }).execute()
    } catch (err) {
      opts.onError(err)
    } finally {
      beating = false
    }
  }

  const report: ReportProgress = async (phase, processed, total, tx) => {
    const now = performance.now()
    if (phase === lastPhase && processed < total && now - lastAt < writeMs) return
    lastPhase = phase
    lastAt = now
    if (FINAL_PHASES.includes(phase)) stop()
    else heartbeat ??= setInterval(() => void beat(), opts.heartbeatMs ?? PROGRESS_HEARTBEAT_MS).unref()
    const values = { phase, processed, total, updated_at: deps.clock.now() }
    try {
      if (!started) {
        started = true
        await (tx ?? deps.db)
          .insertInto('user_import_progress')
          .values({ user_id: userId, import_id: importId, ...values })
          .onConflict((oc) => oc.column('user_id').doUpdateSet({ import_id: importId, ...values }))
          .execute()
      } else {
        await stillRunning(tx ?? deps.db)
          .set(values)
          .execute()
      }
    } catch (err) {
      if (tx) throw err
      opts.onError(err)
    }
  }
  return { report, stop }
}

/**
 * The caller's own import `importId`, or undefined (never another user's: the key is her id). A
 * running row untouched for PROGRESS_STALE_MS by the app's clock is answered as failed, interrupted.
 */
export async function readProgress(
  deps: { db: Kysely<Database>; clock: Clock },
  userId: number,
  importId: string,
): Promise<UserImportProgress | undefined> {
  const row = await deps.db
    .selectFrom('user_import_progress')
    .select(['phase', 'processed', 'total', 'updated_at'])
    .where('user_id', '=', userId)
    .where('import_id', '=', importId)
    .executeTakeFirst()
  if (!row) return undefined
  const phase = row.phase as ImportPhase
  const progress = { phase, processed: row.processed, total: row.total }
  const silentMs = deps.clock.now().getTime() - new Date(row.updated_at).getTime()
  if (!FINAL_PHASES.includes(phase) && silentMs > PROGRESS_STALE_MS) return { ...progress, phase: 'failed', message: IMPORT_INTERRUPTED }
  return progress
}
