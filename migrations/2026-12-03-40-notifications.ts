// In-app notifications. `cause` names why a person got one (exam:12:opening); the unique
// (user_id, cause) makes every notification idempotent, so two nodes running the scheduler at once
// never send one twice. notification_fanouts remembers which causes were already fanned out, so the
// scheduler does not re-read an exam's audience on every tick.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('link', 'text')
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('read_at', 'timestamptz')
    .addUniqueConstraint('notifications_user_cause_uq', ['user_id', 'cause'])
    .execute()
  await sql`create index notifications_user_created_idx on notifications (user_id, created_at desc, id desc)`.execute(db)
  await sql`create index notifications_unread_idx on notifications (user_id) where read_at is null`.execute(db)
  await db.schema
    .createTable('notification_fanouts')
    .addColumn('cause', 'text', (c) => c.primaryKey())
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_fanouts').execute()
  await db.schema.dropTable('notifications').execute()
}
