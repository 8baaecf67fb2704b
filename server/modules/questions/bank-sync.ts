import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The shipped bank: question-bank/ at the repository root. */
export const BANK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../question-bank')

export interface BankSyncResult { inserted: number; updated: number; retired: number; unchanged: number }

// Placeholder: loads question-bank/*.yaml into the database idempotently (issue 3).
export async function syncBank(_db: Kysely<Database>, _dir: string): Promise<BankSyncResult> {
  return { inserted: 0, updated: 0, retired: 0, unchanged: 0 }
}
