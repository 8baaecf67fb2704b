// 通报 of organised work: one row per recipient and period (a secretary gets her subtree's, an admin
// the department's). The figures are kept as they were computed, so a download next month shows the
// same 通报; people are kept as user ids only, and named from the users table when downloaded (an
// anonymised member stays anonymised in old 通报 too). The unique (period, start, recipient) makes
// a second run, a second node or a retried schedule send nothing new.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('circulars')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('period', 'text', (c) => c.notNull().check(sql`period in ('week', 'month')`))
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('recipient_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'integer', (c) => c.references('orgs.id'))
    .addColumn('scope_path', 'text', (c) => c.notNull())
    .addColumn('scope_name', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('figures', 'jsonb', (c) => c.notNull())
    .addColumn('includes_list', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('circulars_period_recipient_uq', ['period', 'period_start', 'recipient_id'])
    .execute()
  await sql`create index circulars_recipient_idx on circulars (recipient_id, created_at desc, id desc)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('circulars').execute()
}
