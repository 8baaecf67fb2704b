import type { Role } from '../../db/types.js'

/** The public `user` shape integrations rely on: `{id, username, name, role, orgId, mustChangePassword}` (+ extras). */
export interface UserDto {
  id: number
  username: string
  name: string
  role: Role
  orgId: number
  mustChangePassword: boolean
  active?: boolean
  orgName?: string
}

export function toUserDto(row: {
  id: number
  username: string
  name: string
  role: Role
  org_id: number
  must_change_password: boolean
  active?: boolean
  org_name?: string
}): UserDto {
  return {
    id: row.id,
    username: row.username,
    name: row.name,
    role: row.role,
    orgId: row.org_id,
    mustChangePassword: row.must_change_password,
    ...(row.active !== undefined && { active: row.active }),
    ...(row.org_name !== undefined && { orgName: row.org_name }),
  }
}
