// Live exam figures kept incrementally, so a push reads a handful of rows per unit instead of
// every attempt: one row per person (best score, for the leaderboard by index) and one row of
// counters per exam and org. Backfilled from any attempts that already exist.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('exam_people')
    .addColumn('exam_id', 'integer', (c) => c.notNull().references('exams.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('submitted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('best', 'numeric')
    .addColumn('best_seconds', 'integer')
    .addPrimaryKeyConstraint('exam_people_pk', ['exam_id', 'user_id'])
    .execute()
  await sql`create index exam_people_board_idx on exam_people (exam_id, best desc, best_seconds asc, user_id) where submitted`.execute(db)

  await db.schema
    .createTable('exam_org_counts')
    .addColumn('exam_id', 'integer', (c) => c.notNull().references('exams.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('started', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('score_sum', 'numeric', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('exam_org_counts_pk', ['exam_id', 'org_id'])
    .execute()

  await sql`
    insert into exam_people (exam_id, user_id, org_id, submitted, best, best_seconds)
    select distinct on (a.exam_id, a.user_id) a.exam_id, a.user_id,
      first_value(a.org_id) over (partition by a.exam_id, a.user_id order by a.attempt_no),
      bool_or(a.status = 'submitted') over (partition by a.exam_id, a.user_id),
      case when a.status = 'submitted' then a.score end,
      case when a.status = 'submitted' then extract(epoch from (a.submitted_at - a.started_at))::int end
    from attempts a
    order by a.exam_id, a.user_id, (a.status = 'submitted') desc, a.score desc nulls last, (a.submitted_at - a.started_at)`.execute(db)
  await sql`
    insert into exam_org_counts (exam_id, org_id, started, submitted, score_sum)
    select exam_id, org_id, count(*), count(*) filter (where submitted), coalesce(sum(best) filter (where submitted), 0)
    from exam_people group by exam_id, org_id`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('exam_org_counts').execute()
  await db.schema.dropTable('exam_people').execute()
}
