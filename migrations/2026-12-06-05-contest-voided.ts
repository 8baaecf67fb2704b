// A contest remembers why the last question it closed was voided, so every later resume of the
// game shows the hall screen and the phones its notice. Until now only the process that voided a
// question knew: a question on screen when the process died was voided by the next one, and the
// restart after that read it as revealed (a blank screen with 下一题); a question voided because an
// exam took it during its countdown came back the same after any restart.
// `last_voided`: why the question at `last_closed` was voided ('open_exam' | 'restart'), null when
// it was revealed; written with `last_closed`. Contests under way get it from what they saved: a
// position both asked and skipped is an open-exam void; a restart's void is only in the audit log.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table contests add column last_voided text check (last_voided in ('open_exam', 'restart'))`.execute(db)
  await sql`update contests set last_voided = 'open_exam'
    where status in ('lobby', 'running') and last_closed >= 0 and last_asked = last_closed and skipped @> to_jsonb(last_closed)`.execute(db)
  await sql`update contests c set last_voided = 'restart'
    where c.status in ('lobby', 'running') and c.last_closed >= 0 and c.last_voided is null and exists (
      select 1 from audit_log a
      where a.action = 'contest.void' and a.target_type = 'contest' and a.target_id = c.id::text
        and a.details -> 'positions' @> to_jsonb(c.last_closed + 1))`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table contests drop column last_voided`.execute(db)
}
