// The first answer to a practice question is final: its feedback shows the key, so a second answer
// would be graded from it and, in the modes that earn points, paid. One row per person, answer
// group and question, keyed by them, so of two answers at once only one is inserted and graded.
// `answer_group`: the set answered in (daily:<day>, weekly:<week>, random:<run>, challenge:<run>),
// except that all 专项答题 sets of one day are one group, special:<day> (any category or size),
// because they pay their point once per question and day.
// Questions answered before this table existed get their first answer from practice_answers (its
// mode, and the set's day, week or run).
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('practice_first_answers')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('answer_group', 'text', (c) => c.notNull())
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id'))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('practice_first_answers_pk', ['user_id', 'answer_group', 'question_id'])
    .execute()
  await sql`insert into practice_first_answers (user_id, answer_group, question_id, at)
    select pi.user_id,
      case when split_part(pi.set_key, ':', 1) = 'special' then 'special:' || split_part(pi.set_key, ':', 2) else pi.set_key end,
      pi.question_id, min(pa.at)
    from practice_items pi
    join practice_answers pa on pa.user_id = pi.user_id and pa.question_id = pi.question_id
      and pa.mode = split_part(pi.set_key, ':', 1)
      and case split_part(pi.set_key, ':', 1)
        when 'daily' then pa.day = split_part(pi.set_key, ':', 2)::date
        when 'special' then pa.day = split_part(pi.set_key, ':', 2)::date
        when 'weekly' then pa.day >= split_part(pi.set_key, ':', 2)::date and pa.day < split_part(pi.set_key, ':', 2)::date + 7
        else pa.run_id = split_part(pi.set_key, ':', 2)
      end
    group by 1, 2, 3`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('practice_first_answers').execute()
}
