// Exam day: reloads are counted apart from page-hide/blur (a reload is not 切屏), and an exam that
// people have taken can be archived (hidden from members, kept for the record) instead of deleted.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('attempts')
    .addColumn('reload_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.alterTable('exams').addColumn('archived_at', 'timestamptz').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('exams').dropColumn('archived_at').execute()
  await db.schema.alterTable('attempts').dropColumn('reload_count').execute()
}
