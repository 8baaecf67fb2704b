// Study points like 学习强国: versioned rules, an append-only ledger with idempotency keys, capped
// counters enforced under row locks, per-period totals for leaderboards, materials, study time,
// practice answers and the 错题本.
import { sql, type Kysely } from 'kysely'

/** The default rules as of this migration (later changes are new versions, made by admins). */
const DEFAULT_RULES: [
  code: string,
  name: string,
  points: number,
  dailyCap: number | null,
  weeklyCap: number | null,
  unitSeconds: number | null,
  sort: number,
][] = [
  ['login', '登录', 1, 1, null, null, 1],
  ['article', '文章选读', 1, 6, null, null, 2],
  ['article_time', '阅读时长', 1, 6, null, 120, 3],
  ['video', '视听学习', 1, 6, null, null, 4],
  ['video_time', '视听时长', 1, 6, null, 180, 5],
  ['daily_quiz', '每日答题', 1, 5, null, null, 6],
  ['weekly_quiz', '每周答题', 1, null, 5, null, 7],
  ['special_quiz', '专项答题', 1, 10, null, null, 8],
  ['challenge', '挑战答题', 1, 6, null, null, 9],
  ['opinion', '发表观点', 1, 1, null, null, 10],
]

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('point_rules')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('daily_cap', 'integer')
    .addColumn('weekly_cap', 'integer')
    .addColumn('unit_seconds', 'integer') // time rules: one award per this many verified seconds
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('effective_from', 'date', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('point_rules_code_version_uq', ['code', 'version'])
    .execute()
  await db
    .insertInto('point_rules')
    .values(
      DEFAULT_RULES.map(([code, name, points, daily_cap, weekly_cap, unit_seconds, sort]) => ({
        code,
        name,
        points,
        daily_cap,
        weekly_cap,
        unit_seconds,
        sort,
        effective_from: '2020-01-01',
        version: 1,
      })),
    )
    .execute()

  await db.schema
    .createTable('point_ledger')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('rule_code', 'text', (c) => c.notNull())
    .addColumn('rule_version', 'integer')
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('idem_key', 'text', (c) => c.notNull())
    .addColumn('detail', 'jsonb')
    .addColumn('actor_id', 'integer')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('point_ledger_idem_uq', ['user_id', 'idem_key'])
    .execute()
  await db.schema.createIndex('point_ledger_user_day_idx').on('point_ledger').columns(['user_id', 'day']).execute()

  // Capped counters: one row per person, rule and period ('D:2026-11-30' or 'W:2026-11-30').
  await db.schema
    .createTable('point_counters')
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('rule_code', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('earned', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('point_counters_pk', ['user_id', 'rule_code', 'period'])
    .execute()

  // Totals per person and period ('D:…', 'W:…' Monday, 'M:2026-11', 'T'): leaderboards read these.
  await db.schema
    .createTable('point_totals')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('point_totals_pk', ['user_id', 'period'])
    .execute()
  await sql`create index point_totals_period_idx on point_totals (period, points desc)`.execute(db)

  await db.schema
    .createTable('materials')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('seed_key', 'text', (c) => c.unique())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('article','video')`))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text')
    .addColumn('cover_url', 'text')
    .addColumn('body_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('video_url', 'text')
    .addColumn('duration_seconds', 'integer')
    .addColumn('source', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('published')
        .check(sql`status in ('draft','published','retired')`),
    )
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('materials_channel_idx').on('materials').columns(['channel', 'published_at']).execute()

  // Verified study time: heartbeats while the page is visible; one clock per person so that a
  // second tab cannot double the time.
  await db.schema
    .createTable('study_clock')
    .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
    .addColumn('last_counted_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('study_time')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('material_id', 'integer', (c) => c.notNull().references('materials.id'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('study_time_pk', ['user_id', 'material_id', 'day'])
    .execute()

  // Every practice answer, for feedback, the 错题本 and anti-automation signals.
  await db.schema
    .createTable('practice_answers')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id'))
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('correct', 'boolean', (c) => c.notNull())
    .addColumn('elapsed_ms', 'integer')
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  await db.schema.createIndex('practice_answers_user_idx').on('practice_answers').columns(['user_id', 'at']).execute()

  await db.schema
    .createTable('challenge_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('correct', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ended', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('current_question_id', 'integer')
    .addColumn('asked', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('wrong_book')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id'))
    .addColumn('wrong_count', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('right_days', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`)) // distinct days answered right since last wrong
    .addColumn('added_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_wrong_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cleared_at', 'timestamptz')
    .addPrimaryKeyConstraint('wrong_book_pk', ['user_id', 'question_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'wrong_book',
    'challenge_runs',
    'practice_answers',
    'study_time',
    'study_clock',
    'materials',
    'point_totals',
    'point_counters',
    'point_ledger',
    'point_rules',
  ]) {
    await db.schema.dropTable(t).execute()
  }
}
