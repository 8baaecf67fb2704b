// Row types of every table, and the one Database interface Kysely is typed with.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, string | T, string | T>

export type OrgKind = 'department' | 'branch' | 'unit' | 'agency'
export type Role = 'admin' | 'secretary' | 'member'

export interface OrgTable {
  id: Generated<number>
  parent_id: number | null
  name: string
  kind: OrgKind
  /** Materialised path of ids, e.g. "/1/4/9/": a subtree is `path LIKE '/1/4/%'`. */
  path: string
  sort: Generated<number>
  active: Generated<boolean>
  created_at: Timestamp
}

export interface UserTable {
  id: Generated<number>
  username: string
  name: string
  password_hash: string
  role: Role
  org_id: number
  active: Generated<boolean>
  must_change_password: Generated<boolean>
  failed_logins: Generated<number>
  locked_until: Timestamp | null
  created_at: Timestamp
  updated_at: Timestamp
}

/** One login: a chain of rotating refresh tokens. */
export interface SessionTable {
  id: string
  user_id: number
  token_hash: string
  prev_token_hash: string | null
  rotated_at: Timestamp | null
  expires_at: Timestamp
  revoked_at: Timestamp | null
  created_at: Timestamp
  user_agent: string | null
  ip: string | null
}

export interface AuditLogTable {
  id: Generated<number>
  actor_id: number | null
  action: string
  target_type: string
  target_id: string | null
  reason: string | null
  details: Json<Record<string, unknown>> | null
  at: Timestamp
}

export interface KvTable {
  key: string
  value: string
  updated_at: Timestamp
}

export interface Database {
  orgs: OrgTable
  users: UserTable
  sessions: SessionTable
  audit_log: AuditLogTable
  kv: KvTable
}

export type Org = Selectable<OrgTable>
export type User = Selectable<UserTable>
export type NewUser = Insertable<UserTable>
export type UserUpdate = Updateable<UserTable>
