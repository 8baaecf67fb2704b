// The principal a signed-in account acts as, read from the database: for tests that call a service
// directly (to line up two calls exactly), as the auth plugin would build it for a request.
import type { Kysely } from 'kysely'
import type { Database } from '../../server/db/types.js'
import type { Principal } from '../../server/lib/scope.js'

export async function principalOf(db: Kysely<Database>, username: string): Promise<Principal> {
  const row = await db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.username', 'users.name', 'users.role', 'users.org_id', 'orgs.path'])
    .where('users.username', '=', username)
    .executeTakeFirstOrThrow()
  return {
    userId: row.id,
    sessionId: 'test',
    username: row.username,
    name: row.name,
    role: row.role,
    orgId: row.org_id,
    orgPath: row.path,
    mustChangePassword: false,
    mustSetUpTotp: false,
  }
}
