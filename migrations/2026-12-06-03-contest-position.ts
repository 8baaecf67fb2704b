// A contest remembers how far it got, so a restart of the games home (or another process loading
// the contest) never asks again a question whose key the hall has seen. Until now it resumed after
// the last question with saved answers: one revealed with no answer, or still open when the
// process died, came again. `last_asked` is the position of the last question put on screen
// (saved before it is shown), `last_closed` that of the last one closed (revealed, or voided).
// Contests under way start from their saved answers, as far as a restart resumed them before.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table contests add column last_asked integer not null default -1`.execute(db)
  await sql`alter table contests add column last_closed integer not null default -1`.execute(db)
  await sql`update contests c set last_asked = a.idx, last_closed = a.idx
    from (select contest_id, max(idx) as idx from contest_answers group by contest_id) a
    where a.contest_id = c.id`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table contests drop column last_closed`.execute(db)
  await sql`alter table contests drop column last_asked`.execute(db)
}
