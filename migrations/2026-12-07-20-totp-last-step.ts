// A TOTP code is accepted once (RFC 6238 §5.2): until now a code seen over someone's shoulder, or
// sent twice, could sign in again for the rest of its ~90-second window.
// `totp_last_step`: the latest 30-second time step a code of this person was accepted for; a code
// for that step or an earlier one is refused. Null until a code is first accepted.
import { sql, type Kysely } from 'kysely'

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table users add column totp_last_step integer`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table users drop column totp_last_step`.execute(db)
}
