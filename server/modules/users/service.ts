// Rules for managing people: who may create or change whom, and with which role.
import type { Deps } from '../../lib/deps.js'
import { withTransaction } from '../../lib/transaction.js'
import type { Role } from '../../db/types.js'
import { forbidden, notFound, unprocessable, validationError } from '../../lib/errors.js'
import { hashPassword, passwordProblem } from '../../lib/passwords.js'
import { normalizeUsername, usernameProblem } from '../../lib/usernames.js'
import { orgInScope, type Principal, assertNotSelf } from '../../lib/scope.js'
import { audit } from '../../lib/audit.js'
import { findOrg } from '../orgs/index.js'
import * as q from './queries.js'
import { toUserDto } from './dto.js'
import { assignProblem, peerProblem } from './rules.js'

/** Bad input is a 400 naming its field; the rules live in lib/usernames and lib/passwords. */
function assertValid(field: 'username' | 'password', problem: string | null) {
  if (problem) throw validationError(problem, [{ field, message: problem }])
}

export function assertMayAssign(principal: Principal, role: Role, orgPath: string) {
  const problem = assignProblem(principal, role, orgPath)
  if (problem) throw forbidden(problem)
}

export async function createUser(
  deps: Deps,
  principal: Principal,
  input: { username: string; name: string; password: string; orgId: number; role: Role; mustChangePassword?: boolean },
) {
  const username = normalizeUsername(input.username)
  assertValid('username', usernameProblem(username))
  assertValid('password', passwordProblem(input.password, username, input.name.trim()))
  const org = await findOrg(deps.db, input.orgId)
  if (!org) throw unprocessable(`组织 ${input.orgId} 不存在`, [{ field: 'orgId', message: '组织不存在' }])
  assertMayAssign(principal, input.role, org.path)
  if (!org.active) throw unprocessable('组织已停用', [{ field: 'orgId', message: '组织已停用' }])
  const password_hash = await hashPassword(input.password)
  const created = await withTransaction(deps, async (tx) => {
    const row = await q.insertUser(tx, {
      username,
      name: input.name.trim(),
      password_hash,
      role: input.role,
      org_id: org.id,
      must_change_password: input.mustChangePassword ?? false,
      password_changed_at: deps.clock.now(),
    })
    await audit(tx, principal.userId, 'user.create', 'user', row.id, { username, orgId: org.id, role: input.role })
    return row
  })
  return toUserDto((await q.findUser(deps.db, created.id))!)
}

export async function updateUser(
  deps: Deps,
  principal: Principal,
  id: number,
  patch: { name?: string; orgId?: number; role?: Role; active?: boolean; password?: string; resetTotp?: true },
  forgetSessions: (userId: number) => void,
) {
  const user = await q.findUser(deps.db, id)
  if (!user || !orgInScope(principal, user.org_path)) {
    // Out of scope looks like not found to a secretary: she must not learn who exists elsewhere.
    if (user && principal.role === 'admin') throw forbidden()
    throw notFound('用户')
  }
  // Staff powers over an account (state, role, unit, password reset) are never used on one's own;
  // her own name she may still correct.
  const usesPowers =
    patch.active !== undefined || patch.role !== undefined || patch.orgId !== undefined || patch.password !== undefined || !!patch.resetTotp
  if (usesPowers) assertNotSelf(principal, id)
  if (principal.userId !== id) {
    const peer = peerProblem(principal, user)
    if (peer) throw forbidden(peer)
    assertMayAssign(principal, patch.role ?? user.role, user.org_path)
  }
  if (patch.resetTotp && principal.role !== 'admin') throw forbidden('只有管理员可以重置动态口令')
  let orgId = user.org_id
  if (patch.orgId !== undefined) {
    const org = await findOrg(deps.db, patch.orgId)
    if (!org) throw unprocessable('组织不存在', [{ field: 'orgId', message: '组织不存在' }])
    assertMayAssign(principal, patch.role ?? user.role, org.path)
    orgId = org.id
  }
  let password_hash: string | undefined
  if (patch.password !== undefined) {
    assertValid('password', passwordProblem(patch.password, user.username, patch.name ?? user.name))
    password_hash = await hashPassword(patch.password)
  }
  const now = deps.clock.now()
  await withTransaction(deps, async (tx) => {
    await q.updateUser(tx, id, {
      ...(patch.name !== undefined && { name: patch.name.trim() }),
      ...(patch.role !== undefined && { role: patch.role }),
      ...(patch.active !== undefined && { active: patch.active }),
      ...(password_hash && { password_hash, must_change_password: true }),
      ...(patch.resetTotp && { totp_secret: null, totp_enabled_at: null }),
      org_id: orgId,
      updated_at: now,
    })
    // Disabling someone or resetting their password ends every session they have.
    if (patch.active === false || password_hash) {
      await tx.updateTable('sessions').set({ revoked_at: now }).where('user_id', '=', id).where('revoked_at', 'is', null).execute()
    }
    await audit(tx, principal.userId, 'user.update', 'user', id, { ...patch, password: patch.password ? '***' : undefined })
    if (patch.resetTotp) await audit(tx, principal.userId, 'auth.totp_reset', 'user', id)
    // Permission changes are searched for on their own (等保 §8.1.4.3).
    if (patch.role !== undefined && patch.role !== user.role)
      await audit(tx, principal.userId, 'user.role', 'user', id, { from: user.role, to: patch.role })
  })
  forgetSessions(id)
  return toUserDto((await q.findUser(deps.db, id))!)
}
