// Live games: 双人对战 and 四人赛 (battles) and the hall's 现场竞答 (contests). A game runs in the
// memory of the node that hosts it; these tables hold what it leaves behind: who played, each
// answer with its timing (answers faster than a person can read are flagged), final ranks, and the
// two point rules of record for battles.
import { sql, type Kysely } from 'kysely'

/**
 * 学习强国's rules of record: 双人对战 — the day's first game, a win earns 2 and a loss 1 (cap 2);
 * 四人赛 — first game 3 / 2 / 2 / 1 by place, second game 2 for the winner and 1 for the others
 * (cap 5). Each rule is 1 point per unit; the battle module awards the units.
 */
const BATTLE_RULES: [code: string, name: string, points: number, dailyCap: number, sort: number][] = [
  ['battle_duel', '双人对战', 1, 2, 11],
  ['battle_four', '四人赛', 1, 5, 12],
]

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('point_rules')
    .values(
      BATTLE_RULES.map(([code, name, points, daily_cap, sort]) => ({
        code,
        name,
        points,
        daily_cap,
        weekly_cap: null,
        unit_seconds: null,
        sort,
        effective_from: '2020-01-01',
        version: 1,
      })),
    )
    .execute()

  await db.schema
    .createTable('battles')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('duel','four')`))
    // Where the players were matched: 'department', 'branch' or 'invite'.
    .addColumn('matched_in', 'text', (c) => c.notNull())
    .addColumn('question_ids', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('running')
        .check(sql`status in ('running','finished','abandoned')`),
    )
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ended_at', 'timestamptz')
    .execute()

  await db.schema
    .createTable('battle_players')
    .addColumn('battle_id', 'integer', (c) => c.notNull().references('battles.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('correct', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rank', 'integer')
    .addColumn('forfeited', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flagged', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('battle_players_pk', ['battle_id', 'user_id'])
    .execute()
  await db.schema.createIndex('battle_players_user_idx').on('battle_players').columns(['user_id', 'battle_id']).execute()

  await db.schema
    .createTable('battle_answers')
    .addColumn('battle_id', 'integer', (c) => c.notNull().references('battles.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('question_id', 'integer', (c) => c.notNull())
    .addColumn('answer', 'jsonb')
    .addColumn('correct', 'boolean', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull())
    .addColumn('elapsed_ms', 'integer', (c) => c.notNull())
    .addColumn('too_fast', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('battle_answers_pk', ['battle_id', 'user_id', 'idx'])
    .execute()

  await db.schema
    .createTable('contests')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('pin', 'text', (c) => c.notNull())
    .addColumn('question_ids', 'jsonb', (c) => c.notNull())
    .addColumn('seconds_per_question', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('lobby')
        .check(sql`status in ('lobby','running','finished')`),
    )
    // The node whose memory runs the game (one process per contest).
    .addColumn('host_node', 'text')
    .addColumn('activity_id', 'integer')
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .execute()
  // A PIN names one contest that is not finished; finished ones free it.
  await sql`create unique index contests_open_pin_uq on contests (pin) where status <> 'finished'`.execute(db)
  await db.schema.createIndex('contests_org_idx').on('contests').columns(['org_id', 'created_at']).execute()

  await db.schema
    .createTable('contest_players')
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('org_id', 'integer', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('correct', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rank', 'integer')
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('contest_players_pk', ['contest_id', 'user_id'])
    .execute()

  await db.schema
    .createTable('contest_answers')
    .addColumn('contest_id', 'integer', (c) => c.notNull().references('contests.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('question_id', 'integer', (c) => c.notNull())
    .addColumn('answer', 'jsonb')
    .addColumn('correct', 'boolean', (c) => c.notNull())
    .addColumn('points', 'integer', (c) => c.notNull())
    .addColumn('elapsed_ms', 'integer', (c) => c.notNull())
    .addColumn('too_fast', 'boolean', (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint('contest_answers_pk', ['contest_id', 'user_id', 'idx'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['contest_answers', 'contest_players', 'contests', 'battle_answers', 'battle_players', 'battles']) {
    await db.schema.dropTable(table).execute()
  }
  await db
    .deleteFrom('point_ledger')
    .where(
      'rule_code',
      'in',
      BATTLE_RULES.map((r) => r[0]),
    )
    .execute()
  await db
    .deleteFrom('point_counters')
    .where(
      'rule_code',
      'in',
      BATTLE_RULES.map((r) => r[0]),
    )
    .execute()
  await db
    .deleteFrom('point_rules')
    .where(
      'code',
      'in',
      BATTLE_RULES.map((r) => r[0]),
    )
    .execute()
}
