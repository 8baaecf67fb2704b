import { Migrator } from 'kysely/migration'
import type { Kysely } from 'kysely'
import { migrations } from '../../migrations/index.js'

/** Applies every pending migration; throws with the failing migration's name. */
// Migrations are written against Kysely<any> (frozen in time, independent of today's row types).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error) {
    throw new Error(`数据库迁移失败${failed ? `（${failed.migrationName}）` : ''}: ${String(error)}`, { cause: error })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
