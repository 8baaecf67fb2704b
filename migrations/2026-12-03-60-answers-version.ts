// A counter on each attempt that every answer save raises. Submitting reads the answers without a
// lock, grades them, and closes the attempt only if the counter is unchanged — one statement that
// never holds the attempt's lock across round trips; a save in between makes it read again.
import type { Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('attempts')
    .addColumn('answers_version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('attempts').dropColumn('answers_version').execute()
}
