// Failed logins, per (account, client address), shared by every node. username_key is the
// normalised lower-case username; the row with username_key '' counts one address's failures
// across all accounts. users.failed_logins / locked_until are no longer used and stay for now.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('login_failures')
    .addColumn('username_key', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('first_failed_at', 'timestamptz', (c) => c.notNull())
    .addColumn('blocked_until', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_failures_pk', ['username_key', 'ip'])
    .execute()
  // Old rows are pruned by age.
  await sql`create index login_failures_updated_idx on login_failures (updated_at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('login_failures').execute()
}
