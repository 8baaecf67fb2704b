// A person's own data under 个人信息保护法: the leaderboard choice, export of everything kept about
// her, and deletion by request (an admin approves; the account is anonymised, while ledgers and
// results stay, no longer naming her, where statistics need them).
import { randomBytes } from 'node:crypto'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { conflict, forbidden, notFound } from '../../lib/errors.js'
import { assertNotSelf, type Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import * as q from './queries.js'
import type { DeletionRequest, PrivacyState } from './schemas.js'

export async function privacyState(deps: Deps, userId: number): Promise<PrivacyState> {
  const [user, request] = await Promise.all([q.findPrivacy(deps.db, userId), q.pendingRequestOf(deps.db, userId)])
  return {
    showOnLeaderboards: user.show_on_leaderboards,
    noticeSeen: user.privacy_noticed_at !== null,
    deletionRequest: request ? { id: request.id, status: request.status, requestedAt: new Date(request.requested_at).toISOString() } : null,
  }
}

/** The answer to the notice, or a later change in 我的: recorded and audited. */
export async function setLeaderboardConsent(deps: Deps, principal: Principal, show: boolean) {
  const now = deps.clock.now()
  await withTransaction(deps, async (tx, emit) => {
    await q.setConsent(tx, principal.userId, show, now)
    await audit(tx, principal.userId, 'privacy.consent', 'user', principal.userId, { showOnLeaderboards: show })
    // Boards pushed to watchers (and the 大屏) change with the name they show: her points boards and
    // the boards of the exams she is ranked on.
    emit('points:changed', principal.userId)
    for (const examId of await q.examsRankingUser(tx, principal.userId)) emit('exam:changed', examId)
  })
  return { showOnLeaderboards: show }
}

/** Everything kept about the caller, and only about her; the export itself is audited. */
export async function exportOwnData(deps: Deps, principal: Principal, format: 'json' | 'xlsx') {
  const data = await q.ownData(deps.db, principal.userId)
  await audit(deps.db, principal.userId, 'privacy.export', 'user', principal.userId, { format })
  return data
}

export async function requestDeletion(deps: Deps, principal: Principal, reason: string | undefined) {
  if (principal.role === 'admin') throw forbidden('管理员账号不能申请注销，请先由其他管理员调整角色')
  return withTransaction(deps, async (tx) => {
    // One statement decides, so two requests sent at once cannot both pass a check made before either writes.
    const id = await q.insertDeletionRequest(tx, principal.userId, reason?.trim() || null, deps.clock.now())
    if (id === undefined) throw conflict('已有待审核的注销申请')
    await audit(tx, principal.userId, 'privacy.deletion_requested', 'user', principal.userId, { requestId: id })
    return { id, status: 'pending' as const }
  })
}

export async function listDeletionRequests(deps: Deps): Promise<DeletionRequest[]> {
  return (await q.deletionRequests(deps.db)).map((r) => ({
    id: r.id,
    userId: r.user_id,
    name: r.name,
    username: r.username,
    orgName: r.org_name,
    reason: r.reason,
    status: r.status,
    requestedAt: new Date(r.requested_at).toISOString(),
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    note: r.note,
  }))
}

/**
 * An admin approves or rejects. Approval anonymises the account in one transaction: name and
 * username replaced, password unusable, consent and second factor cleared, sessions ended and
 * their addresses dropped, feedback unlinked. Points, attempts and attendance stay under the
 * anonymised account so unit statistics keep their counts.
 */
export async function decideDeletion(
  deps: Deps,
  principal: Principal,
  id: number,
  approve: boolean,
  note: string | undefined,
  forgetSessions: (userId: number) => void,
) {
  const request = await q.findDeletionRequest(deps.db, id)
  if (!request) throw notFound('注销申请')
  assertNotSelf(principal, request.user_id)
  const now = deps.clock.now()
  await withTransaction(deps, async (tx) => {
    // 'pending' is checked by the update itself: a request another admin decided meanwhile is a 409,
    // and nothing of this call (anonymisation, audit row) is written.
    if (!(await q.decidePending(tx, id, approve ? 'approved' : 'rejected', principal.userId, now, note ?? null)))
      throw conflict('该注销申请已处理，请刷新后查看')
    if (approve) await q.anonymiseUser(tx, request.user_id, id, randomBytes(24).toString('base64url'), now)
    await audit(
      tx,
      principal.userId,
      approve ? 'privacy.deletion_approved' : 'privacy.deletion_rejected',
      'user',
      request.user_id,
      { requestId: id },
      note,
    )
  })
  if (approve) forgetSessions(request.user_id)
  return (await listDeletionRequests(deps)).find((r) => r.id === id)!
}
