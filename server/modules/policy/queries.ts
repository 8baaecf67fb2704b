import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/types.js'

type Db = Kysely<Database> | Transaction<Database>

export function readSettings(db: Db) {
  return db.selectFrom('policy_settings').select(['key', 'value']).execute()
}

export async function writeSetting(db: Db, key: string, value: unknown, actorId: number, at: Date) {
  const json = JSON.stringify(value)
  await db
    .insertInto('policy_settings')
    .values({ key, value: json, updated_by: actorId, updated_at: at })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_by: actorId, updated_at: at }))
    .execute()
}
