import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, NewUser, Role, UserUpdate } from '../../db/types.js'

type Db = Kysely<Database> | Transaction<Database>

const userColumns = [
  'users.id',
  'users.username',
  'users.name',
  'users.role',
  'users.org_id',
  'users.active',
  'users.must_change_password',
  'users.anonymised_at',
  'orgs.name as org_name',
  'orgs.path as org_path',
] as const

export interface UserFilter {
  scopePath: string
  q?: string
  orgId?: number
  role?: Role
  active?: boolean
  page: number
  pageSize: number
}

export async function searchUsers(db: Db, f: UserFilter) {
  let base = db.selectFrom('users').innerJoin('orgs', 'orgs.id', 'users.org_id').where('orgs.path', 'like', `${f.scopePath}%`)
  if (f.orgId) {
    // "users of org X" means the whole subtree of X, like everywhere else.
    base = base.where('orgs.path', 'like', (eb) =>
      eb
        .selectFrom('orgs as o')
        .select(sql<string>`o.path || '%'`.as('p'))
        .where('o.id', '=', f.orgId!),
    )
  }
  if (f.role) base = base.where('users.role', '=', f.role)
  if (f.active !== undefined) base = base.where('users.active', '=', f.active)
  if (f.q) {
    const like = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`
    base = base.where((eb) => eb.or([eb('users.name', 'like', like), eb('users.username', 'like', like)]))
  }
  const [items, total] = await Promise.all([
    base
      .select([...userColumns])
      .orderBy('orgs.path')
      .orderBy('users.id')
      .limit(f.pageSize)
      .offset((f.page - 1) * f.pageSize)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: total.n }
}

export function findUser(db: Db, id: number) {
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([...userColumns])
    .where('users.id', '=', id)
    .executeTakeFirst()
}

export function findUsersByUsernames(db: Db, usernames: string[]) {
  if (!usernames.length) return Promise.resolve([])
  return db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select([...userColumns])
    .where('users.username', 'in', usernames)
    .execute()
}

export function insertUser(db: Db, user: NewUser) {
  return db.insertInto('users').values(user).returning(['id']).executeTakeFirstOrThrow()
}

export function updateUser(db: Db, id: number, patch: UserUpdate) {
  return db.updateTable('users').set(patch).where('id', '=', id).execute()
}
