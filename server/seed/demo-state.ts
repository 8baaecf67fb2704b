// Is this database still the seeded demo? The login page prints the demo accounts only then.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { DEMO_ADMIN } from './demo.js'

/** kv key written by seedDemo: the password hash the demo admin was created with. */
export const DEMO_KV_KEY = 'demo.admin_hash'

/**
 * True while the database was seeded with the demo organisation and its admin still has the demo
 * password (the hash written at seeding is unchanged). Once someone sets a real admin password —
 * or on any database created with ADMIN_PASSWORD — the demo accounts are no longer advertised.
 */
export async function isSeededDemo(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ demo: boolean }>`
    select exists (
      select 1 from kv join users on users.username = ${DEMO_ADMIN.username}
      where kv.key = ${DEMO_KV_KEY} and kv.value = users.password_hash
    ) as demo`.execute(db)
  return rows[0]?.demo === true
}
