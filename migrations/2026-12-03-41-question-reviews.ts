// A question sent back for review from an exam's item analysis: the figures that raised the doubt
// stay with it, so whoever reviews it in the bank sees why.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('question_reviews')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('exam_id', 'integer', (c) => c.references('exams.id').onDelete('set null'))
    .addColumn('figures', 'jsonb', (c) => c.notNull())
    .addColumn('requested_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute()
  await sql`create index question_reviews_question_idx on question_reviews (question_id, at desc)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('question_reviews').execute()
}
