// Practice grades only what the server itself served: each question handed to a person for a
// practice set is recorded with the exact form she saw (options shuffled for her, the key in her
// letters). The wrong-book keeps that form too, so it shows options in the order she met them.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('practice_items')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    // Which set: daily:<day>, weekly:<week>, special:<day>:<size>:<category>, random:<run>, challenge:<run>.
    .addColumn('set_key', 'text', (c) => c.notNull())
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('question', 'jsonb', (c) => c.notNull())
    .addColumn('served_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('practice_items_pk', ['user_id', 'set_key', 'question_id'])
    .execute()
  await db.schema.createIndex('practice_items_served_idx').on('practice_items').column('served_at').execute()
  await db.schema.alterTable('wrong_book').addColumn('question', 'jsonb').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('wrong_book').dropColumn('question').execute()
  await db.schema.dropTable('practice_items').execute()
}
