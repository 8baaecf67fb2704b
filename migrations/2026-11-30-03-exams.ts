// Timed exams and attempts. An attempt stores its whole paper (questions as shown, option order,
// answer keys, scores) when it starts: the server grades against that, whatever happens to the bank.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('exams')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('instructions', 'text')
    .addColumn('opens_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('audience_org_ids', 'jsonb', (c) => c.notNull())
    .addColumn('pass_score', 'numeric', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('shuffle_questions', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('shuffle_options', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('release_results', 'text', (c) => c.notNull().check(sql`release_results in ('immediately','after_close')`))
    .addColumn('multiple_scoring', 'text', (c) =>
      c
        .notNull()
        .defaultTo('all_or_nothing')
        .check(sql`multiple_scoring in ('all_or_nothing','partial')`),
    )
    .addColumn('paper', 'jsonb', (c) => c.notNull())
    .addColumn('max_score', 'numeric', (c) => c.notNull())
    .addColumn('one_device', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  await db.schema
    .createTable('attempts')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('exam_id', 'integer', (c) => c.notNull().references('exams.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id')) // where the person was when taking it
    .addColumn('attempt_no', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('in_progress','submitted')`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deadline', 'timestamptz', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('submitted_by', 'text') // 'user' | 'deadline' | 'staff'
    .addColumn('score', 'numeric')
    .addColumn('max_score', 'numeric', (c) => c.notNull())
    .addColumn('passed', 'boolean')
    .addColumn('paper', 'jsonb', (c) => c.notNull())
    .addColumn('answered_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('blur_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('device_switches', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('device_id', 'text')
    .addUniqueConstraint('attempts_exam_user_no_uq', ['exam_id', 'user_id', 'attempt_no'])
    .execute()
  // At most one open attempt per person and exam, enforced by the database under any race.
  await sql`create unique index attempts_one_open_idx on attempts (exam_id, user_id) where status = 'in_progress'`.execute(db)
  // The sweeper's query: open attempts by deadline.
  await sql`create index attempts_open_deadline_idx on attempts (deadline) where status = 'in_progress'`.execute(db)
  await db.schema.createIndex('attempts_exam_idx').on('attempts').columns(['exam_id', 'status']).execute()
  await db.schema.createIndex('attempts_user_idx').on('attempts').column('user_id').execute()

  await db.schema
    .createTable('attempt_answers')
    .addColumn('attempt_id', 'integer', (c) => c.notNull().references('attempts.id'))
    .addColumn('question_id', 'integer', (c) => c.notNull())
    .addColumn('answer', 'jsonb', (c) => c.notNull())
    .addColumn('saved_at', 'timestamptz', (c) => c.notNull())
    .addColumn('correct', 'boolean')
    .addColumn('score', 'numeric')
    .addPrimaryKeyConstraint('attempt_answers_pk', ['attempt_id', 'question_id'])
    .execute()

  // Exceptions granted on the day: extra minutes or an extra attempt for one person (audited).
  await db.schema
    .createTable('exam_allowances')
    .addColumn('exam_id', 'integer', (c) => c.notNull().references('exams.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('extra_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extra_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('exam_allowances_pk', ['exam_id', 'user_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['exam_allowances', 'attempt_answers', 'attempts', 'exams']) await db.schema.dropTable(t).execute()
}
