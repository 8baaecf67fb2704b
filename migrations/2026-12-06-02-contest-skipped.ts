// A live contest may skip a question that an exam opened since the contest was made now holds (its
// key would otherwise reach the hall screen). The positions skipped are kept with the contest, so a
// restart of the games home, or another process loading the contest, never asks them again.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table contests add column skipped jsonb not null default '[]'::jsonb`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table contests drop column skipped`.execute(db)
}
