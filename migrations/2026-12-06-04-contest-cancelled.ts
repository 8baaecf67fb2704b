// A contest that has not ended may be cancelled by its host: one that can never start (every
// question held by open exams) no longer waits in the lobby for ever. `cancelled` is a status of
// its own (the list shows 已取消; no ledger activity is recorded for it), and like a finished
// contest it frees its PIN.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  // The check was declared on the column when the table was made, so PostgreSQL named it.
  await sql`alter table contests drop constraint contests_status_check`.execute(db)
  await sql`alter table contests add constraint contests_status_check
    check (status in ('lobby','running','finished','cancelled'))`.execute(db)
  await sql`drop index contests_open_pin_uq`.execute(db)
  await sql`create unique index contests_open_pin_uq on contests (pin) where status in ('lobby','running')`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update contests set status = 'finished' where status = 'cancelled'`.execute(db)
  await sql`alter table contests drop constraint contests_status_check`.execute(db)
  await sql`alter table contests add constraint contests_status_check check (status in ('lobby','running','finished'))`.execute(db)
  await sql`drop index contests_open_pin_uq`.execute(db)
  await sql`create unique index contests_open_pin_uq on contests (pin) where status <> 'finished'`.execute(db)
}
