// Who may make or change whom, and with which role: one set of rules for the forms and the import.
import type { Role } from '../../db/types.js'
import { orgInScope, type Principal } from '../../lib/scope.js'

/**
 * Why `principal` may not give `role` to someone in the org at `orgPath`, or null. A secretary
 * manages the members of her subtree and the secretaries of the units below her own; her own unit's
 * secretaries are set by the level above or an admin. Otherwise she could make a second secretary
 * account in her own unit and, signed in as it, use staff powers on herself (points, extra time,
 * reopened attempts), which nobody may. Only admins make admins and auditors.
 */
export function assignProblem(principal: Principal, role: Role, orgPath: string): string | null {
  if (!orgInScope(principal, orgPath)) return '只能管理本组织及下级组织的人员'
  if (role === 'admin' && principal.role !== 'admin') return '只有管理员可以设置管理员'
  if (role === 'auditor' && principal.role !== 'admin') return '只有管理员可以设置审计员'
  if (isOwnUnitSecretary(principal, role, orgPath)) return OWN_UNIT_SECRETARY
  return null
}

/** A secretary giving the secretary role in her own unit (not below it): the level above's to do. */
export function isOwnUnitSecretary(principal: Principal, role: Role, orgPath: string): boolean {
  return role === 'secretary' && principal.role === 'secretary' && orgPath === principal.orgPath
}

export const OWN_UNIT_SECRETARY = '本组织的书记由上级组织或管理员设置'

/**
 * Why `principal` may not change the account `target` at all, or null: an admin's or an auditor's
 * account (admins only: whoever could reset an auditor's password or demote her could read or stop
 * the audit trail that watches them), or, for a secretary, a fellow secretary of her own unit (the
 * rule above, seen from the other side: her peers are not hers to reset, move or disable). This
 * reads the account's current role; the role a change asks for is `assignProblem`'s to judge.
 * An account anonymised on its owner's request is no one's to change, an admin's neither: renaming
 * or re-enabling it would undo the deletion she asked for.
 */
export function peerProblem(principal: Principal, target: { role: Role; org_path: string; anonymised_at: unknown }): string | null {
  if (target.anonymised_at) return ANONYMISED_ACCOUNT
  if (target.role === 'admin' && principal.role !== 'admin') return '只有管理员可以修改管理员'
  if (target.role === 'auditor' && principal.role !== 'admin') return '只有管理员可以修改审计员'
  if (target.role === 'secretary' && principal.role === 'secretary' && target.org_path === principal.orgPath)
    return '本组织的书记由上级组织或管理员管理'
  return null
}

export const ANONYMISED_ACCOUNT = '该账号已按本人申请注销，不能再修改'
