import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, OrgKind } from '../../db/types.js'

type Db = Kysely<Database> | Transaction<Database>

export function listOrgs(db: Db) {
  return db.selectFrom('orgs').selectAll().orderBy('path').execute()
}

export function findOrg(db: Db, id: number) {
  return db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Every org at or below `pathPrefix` (the materialised-path query the whole app relies on). */
export function subtreeOrgs(db: Db, pathPrefix: string) {
  return db.selectFrom('orgs').selectAll().where('path', 'like', `${pathPrefix}%`).orderBy('path').execute()
}

export async function insertOrg(
  db: Db,
  org: { name: string; kind: OrgKind; parentPath: string | null; parentId: number | null; sort?: number },
) {
  // The path embeds the new id, so take the id from the sequence first.
  const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence('orgs', 'id'))::int as id`.execute(db)
  const id = rows[0].id
  return db
    .insertInto('orgs')
    .values({ id, name: org.name, kind: org.kind, parent_id: org.parentId, path: `${org.parentPath ?? '/'}${id}/`, sort: org.sort ?? 0 })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export function updateOrg(db: Db, id: number, patch: { name?: string; kind?: OrgKind; active?: boolean; sort?: number }) {
  return db.updateTable('orgs').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

/** Moves a whole subtree by rewriting the path prefix of every org in it, in one statement. */
export async function moveOrg(db: Db, id: number, oldPath: string, newParentId: number | null, newParentPath: string | null) {
  const newPath = `${newParentPath ?? '/'}${id}/`
  await db.updateTable('orgs').set({ parent_id: newParentId }).where('id', '=', id).execute()
  await sql`update orgs set path = ${newPath} || substr(path, ${oldPath.length + 1}) where path like ${oldPath + '%'}`.execute(db)
}

export async function countMembersByOrg(db: Db) {
  const rows = await db
    .selectFrom('users')
    .select(['org_id', sql<number>`count(*)::int`.as('members')])
    .where('active', '=', true)
    .groupBy('org_id')
    .execute()
  return new Map(rows.map((r) => [r.org_id, r.members]))
}
