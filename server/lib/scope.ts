// Scope is data: a caller sees an org when its materialised path starts
// with the caller's own org path. Admins see everything, members only themselves.
import type { Role } from '../db/types.js'
import { AppError } from './errors.js'

export interface Principal {
  userId: number
  sessionId: string
  username: string
  name: string
  role: Role
  orgId: number
  orgPath: string
  mustChangePassword: boolean
  /** An admin the policy requires to use TOTP, on a session without it: she may only set it up. */
  mustSetUpTotp: boolean
}

// An auditor ranks below a member: she reaches only routes that admit auditors by name.
const ROLE_RANK: Record<Role, number> = { auditor: 0, member: 1, secretary: 2, admin: 3 }

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[min]
}

/** Whether the caller may manage or watch things of the org at `orgPath`. */
export function orgInScope(principal: Principal, orgPath: string): boolean {
  if (principal.role === 'admin') return true
  if (principal.role === 'secretary') return orgPath.startsWith(principal.orgPath)
  return false
}

/** The path prefix every scoped query filters by; admins get the root prefix. */
export function scopePrefix(principal: Principal): string {
  return principal.role === 'admin' ? '/' : principal.orgPath
}

/**
 * Nobody uses staff powers on their own record (points adjustments, reopening, extra time or
 * attempts, account changes): a second staff member does it, and the audit names both.
 */
export function assertNotSelf(principal: Principal, userId: number): void {
  if (principal.userId === userId) {
    throw new AppError(403, 'SELF_SERVICE_FORBIDDEN', '不能对自己的记录行使管理权限，请由另一位管理人员办理')
  }
}
