// The campaign ledger (五学 台账): activities with participants and sign-in codes, monthly task
// lists sent to units, numbered 月工作提示 with read receipts, unit briefings (简报) for the 专栏,
// and the 活动签到 point rule (capped per day; admins change it by adding a new rule version).
import { sql, type Kysely } from 'kysely'

const ACTIVITY_TYPES = ['lecture', 'theme_day', 'seminar', 'tutorial', 'screening', 'contest', 'other']

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('activities')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in (${sql.join(ACTIVITY_TYPES.map((t) => sql.lit(t)))})`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz')
    .addColumn('place', 'text')
    .addColumn('speaker', 'text')
    .addColumn('summary', 'text')
    // People without an account (students, retirees): counted in attendance, never named.
    .addColumn('guests', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(0)
        .check(sql`guests >= 0`),
    )
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('activities_org_start_idx').on('activities').columns(['org_id', 'starts_at']).execute()

  await db.schema
    .createTable('activity_participants')
    .addColumn('activity_id', 'integer', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('checked_in_at', 'timestamptz')
    .addColumn('late', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('added_by', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('activity_participants_pk', ['activity_id', 'user_id'])
    .execute()
  await db.schema.createIndex('activity_participants_user_idx').on('activity_participants').column('user_id').execute()

  await db.schema
    .createTable('activity_checkin_codes')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('activity_id', 'integer', (c) => c.notNull().references('activities.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('activity_checkin_codes_activity_idx').on('activity_checkin_codes').column('activity_id').execute()

  await db.schema
    .createTable('campaign_tasks')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    // The item broken down by week: [{weekOf: 'YYYY-MM-DD', text}].
    .addColumn('weeks', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createTable('campaign_task_orgs')
    .addColumn('task_id', 'integer', (c) => c.notNull().references('campaign_tasks.id').onDelete('cascade'))
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('done_at', 'timestamptz')
    .addColumn('done_by', 'integer')
    .addColumn('note', 'text')
    .addColumn('activity_id', 'integer', (c) => c.references('activities.id').onDelete('set null'))
    .addPrimaryKeyConstraint('campaign_task_orgs_pk', ['task_id', 'org_id'])
    .execute()
  await db.schema.createIndex('campaign_task_orgs_org_idx').on('campaign_task_orgs').column('org_id').execute()

  await db.schema
    .createTable('campaign_bulletins')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('issue_no', 'integer', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema
    .createTable('campaign_bulletin_reads')
    .addColumn('bulletin_id', 'integer', (c) => c.notNull().references('campaign_bulletins.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('read_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_bulletin_reads_pk', ['bulletin_id', 'user_id'])
    .execute()

  await db.schema
    .createTable('campaign_briefings')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('submitted')
        .check(sql`status in ('submitted', 'published', 'returned')`),
    )
    .addColumn('submitted_by', 'integer', (c) => c.references('users.id'))
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('reviewed_by', 'integer')
    .addColumn('review_note', 'text')
    .addColumn('published_at', 'timestamptz')
    .addColumn('reads', 'integer', (c) => c.notNull().defaultTo(0))
    .execute()
  await db.schema.createIndex('campaign_briefings_org_idx').on('campaign_briefings').columns(['org_id', 'submitted_at']).execute()
  await db.schema
    .createTable('campaign_briefing_reads')
    .addColumn('briefing_id', 'integer', (c) => c.notNull().references('campaign_briefings.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('read_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('campaign_briefing_reads_pk', ['briefing_id', 'user_id'])
    .execute()

  // Signing in to an activity earns 1 point, at most 2 a day: attending is rewarded, but the
  // ledger of study points is not dominated by meetings.
  const { rows } = await sql<{ sort: number }>`select coalesce(max(sort), 0)::int as sort from point_rules`.execute(db)
  await db
    .insertInto('point_rules')
    .values({
      code: 'activity_checkin',
      name: '活动签到',
      points: 1,
      daily_cap: 2,
      weekly_cap: null,
      unit_seconds: null,
      sort: rows[0].sort + 1,
      effective_from: '2020-01-01',
      version: 1,
    })
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('point_rules').where('code', '=', 'activity_checkin').execute()
  for (const table of [
    'campaign_briefing_reads',
    'campaign_briefings',
    'campaign_bulletin_reads',
    'campaign_bulletins',
    'campaign_task_orgs',
    'campaign_tasks',
    'activity_checkin_codes',
    'activity_participants',
    'activities',
  ]) {
    await db.schema.dropTable(table).execute()
  }
}
