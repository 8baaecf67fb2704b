// Compliance for a government deployment (国办函〔2026〕12号, 等保2.0, 个人信息保护法): policy
// switches, leaderboard consent and the first-login notice, 投诉建议, deletion requests, idle and
// absolute session limits, TOTP, an `auditor` role, and an audit log the database itself keeps
// append-only. Frozen: later changes go in new migrations.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  // Stored switches; a key without a row has its default (written in the policy module).
  await db.schema
    .createTable('policy_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'jsonb', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('users.id'))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()

  // Separation of duties (等保 level 3): an auditor reads the audit log and nothing else.
  await sql`alter table users drop constraint if exists users_role_check`.execute(db)
  await sql`alter table users add constraint users_role_check check (role in ('admin','secretary','member','auditor'))`.execute(db)
  await db.schema
    .alterTable('users')
    // Leaderboard consent: false until the person chooses otherwise.
    .addColumn('show_on_leaderboards', 'boolean', (c) => c.notNull().defaultTo(false))
    // When the privacy notice was shown and answered (null: still to be shown at next login).
    .addColumn('privacy_noticed_at', 'timestamptz')
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled_at', 'timestamptz')
    .addColumn('password_changed_at', 'timestamptz')
    // Set when a deletion request was approved: the row stays only so statistics keep their counts.
    .addColumn('anonymised_at', 'timestamptz')
    .execute()
  await sql`update users set password_changed_at = updated_at`.execute(db)
  // Data minimisation: the per-user lock counters were replaced by login_failures and hold nothing of use.
  await db.schema.alterTable('users').dropColumn('failed_logins').dropColumn('locked_until').execute()

  // Idle timeout: the last request a session made (touched at most once a minute).
  await db.schema.alterTable('sessions').addColumn('last_seen_at', 'timestamptz').execute()
  await sql`update sessions set last_seen_at = coalesce(rotated_at, created_at)`.execute(db)

  await db.schema
    .createTable('feedback')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.references('users.id'))
    // The submitter's org when submitting: staff of that subtree answer, even if she moves later.
    .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('anonymous', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('submitted')
        .check(sql`status in ('submitted','answered','closed')`),
    )
    .addColumn('reply', 'text')
    .addColumn('replied_by', 'integer', (c) => c.references('users.id'))
    .addColumn('replied_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('feedback_org_idx').on('feedback').columns(['org_id', 'created_at']).execute()
  await db.schema.createIndex('feedback_user_idx').on('feedback').column('user_id').execute()

  await db.schema
    .createTable('deletion_requests')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('reason', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('pending')
        .check(sql`status in ('pending','approved','rejected')`),
    )
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'integer', (c) => c.references('users.id'))
    .addColumn('decided_at', 'timestamptz')
    .addColumn('note', 'text')
    .execute()
  await sql`create unique index deletion_requests_pending_uq on deletion_requests (user_id) where status = 'pending'`.execute(db)

  // The audit log is append-only below the application too: an UPDATE, DELETE or TRUNCATE fails
  // (网络安全法 §21 keeps logs ≥ 6 months; nobody edits them).
  await db.schema.createIndex('audit_at_idx').on('audit_log').column('at').execute()
  await db.schema.createIndex('audit_action_idx').on('audit_log').columns(['action', 'at']).execute()
  await sql`
    create or replace function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only';
    end $$`.execute(db)
  await sql`create trigger audit_log_no_change before update or delete on audit_log for each row execute function audit_log_append_only()`.execute(
    db,
  )
  await sql`create trigger audit_log_no_truncate before truncate on audit_log for each statement execute function audit_log_append_only()`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists audit_log_no_truncate on audit_log`.execute(db)
  await sql`drop trigger if exists audit_log_no_change on audit_log`.execute(db)
  await sql`drop function if exists audit_log_append_only()`.execute(db)
  await db.schema.dropIndex('audit_action_idx').execute()
  await db.schema.dropIndex('audit_at_idx').execute()
  await db.schema.dropTable('deletion_requests').execute()
  await db.schema.dropTable('feedback').execute()
  await db.schema.alterTable('sessions').dropColumn('last_seen_at').execute()
  await db.schema
    .alterTable('users')
    .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'timestamptz')
    .execute()
  for (const c of [
    'anonymised_at',
    'password_changed_at',
    'totp_enabled_at',
    'totp_secret',
    'privacy_noticed_at',
    'show_on_leaderboards',
  ]) {
    await db.schema.alterTable('users').dropColumn(c).execute()
  }
  await sql`alter table users drop constraint if exists users_role_check`.execute(db)
  await sql`alter table users add constraint users_role_check check (role in ('admin','secretary','member'))`.execute(db)
  await db.schema.dropTable('policy_settings').execute()
}
