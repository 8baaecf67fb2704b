// The question bank with revision history. Exams copy what they show into each attempt's paper,
// so editing a question here never changes how a past attempt was graded or reviewed.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('questions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('bank_id', 'text', (c) => c.unique()) // stable id of a shipped question (question-bank/)
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('single','multiple','judge','fill')`))
    .addColumn('stem', 'text', (c) => c.notNull())
    .addColumn('options', 'jsonb')
    .addColumn('answer', 'jsonb', (c) => c.notNull())
    .addColumn('explanation', 'text')
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('tags', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('difficulty', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(3)
        .check(sql`difficulty between 1 and 5`),
    )
    .addColumn('source', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('published')
        .check(sql`status in ('draft','published','retired')`),
    )
    .addColumn('valid_until', 'date')
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('author_id', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await sql`create index questions_category_idx on questions (category text_pattern_ops)`.execute(db)
  await db.schema.createIndex('questions_fingerprint_idx').on('questions').column('fingerprint').execute()
  await db.schema.createIndex('questions_status_type_idx').on('questions').columns(['status', 'type']).execute()

  await db.schema
    .createTable('question_revisions')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('editor_id', 'integer', (c) => c.references('users.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('question_revisions_version_uq', ['question_id', 'version'])
    .execute()

  // Categories exist on their own too, so an admin can create one before it has questions.
  await db.schema
    .createTable('question_categories')
    .addColumn('path', 'text', (c) => c.primaryKey())
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['question_categories', 'question_revisions', 'questions']) await db.schema.dropTable(t).execute()
}
