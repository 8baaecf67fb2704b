// Photos and attachments of campaign activities. The bytes live on disk under a random name (photos
// in <dataDir>/uploads, served at /media; attachments in <dataDir>/attachments, served only to staff
// in scope, always as a download); a row names the file, its uploaded name and its type. Rows go
// with their activity.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activity_files')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('activity_id', 'integer', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('photo', 'attachment')`))
    // The stored name: 32 hex digits and an extension, never the uploaded name.
    .addColumn('stored_name', 'text', (c) =>
      c
        .notNull()
        .unique()
        .check(sql`stored_name ~ '^[a-f0-9]{32}\\.[a-z]{3,4}$'`),
    )
    .addColumn('original_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('activity_files_activity_idx').on('activity_files').columns(['activity_id', 'kind', 'id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('activity_files').execute()
}
