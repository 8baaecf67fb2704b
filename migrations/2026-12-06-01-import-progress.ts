// How far a person's running people import has got, so the console can show 已处理 1200 / 5000 行
// while the request (minutes, for thousands of new passwords to hash) is still open. Kept in the
// database, not in memory, because the poll may reach another process (WORKERS > 1) or another node
// than the import. One row per staff user (the key): a new import replaces the last one's row, so
// the table never holds more rows than there are people who have imported. Read only with the
// caller's own user id; a deleted user's row goes with her.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('user_import_progress')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('import_id', 'text', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_import_progress').execute()
}
