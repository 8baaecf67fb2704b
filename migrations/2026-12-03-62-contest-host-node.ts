// Live contests run in the games home, one process of the whole deployment, so a contest no longer
// records which node hosts it. The column guarded against two nodes running one contest; it now
// only refused phones after the home moved, with a message that refreshing could not mend.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table contests drop column host_node`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table contests add column host_node text`.execute(db)
}
