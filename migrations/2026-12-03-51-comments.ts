// 发表观点: members' comments on study materials and 专栏 items, held for moderation by staff of the
// commenter's org, and the sensitive-word list admins keep.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('comments')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('target_type', 'text', (c) => c.notNull().check(sql`target_type in ('material', 'column')`))
    .addColumn('target_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // The commenter's org when she wrote it: whose staff moderate it.
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending', 'approved', 'rejected')`),
    )
    .addColumn('reason', 'text')
    .addColumn('moderated_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('moderated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`create index comments_target_idx on comments (target_type, target_id, status, created_at desc)`.execute(db)
  await sql`create index comments_user_idx on comments (user_id, created_at desc)`.execute(db)
  await sql`create index comments_status_idx on comments (status, created_at)`.execute(db)

  await db.schema
    .createTable('comment_sensitive_words')
    .addColumn('word', 'text', (c) => c.primaryKey())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('comment_sensitive_words').execute()
  await db.schema.dropTable('comments').execute()
}
