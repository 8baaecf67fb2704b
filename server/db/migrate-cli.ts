// `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database.
import { loadConfig } from '../config.js'
import { openDatabase } from './connect.js'
import { migrateToLatest } from './migrator.js'

const config = loadConfig()
const handle = await openDatabase(
  config.databaseUrl ? { kind: 'postgres', url: config.databaseUrl } : { kind: 'pglite', dataDir: config.dataDir },
)
try {
  const applied = await migrateToLatest(handle.db)
  console.log(applied.length ? `已应用迁移：${applied.join(', ')}` : '数据库已是最新')
} finally {
  await handle.close()
}
