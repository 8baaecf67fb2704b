// 发表观点: a member comments on a published study material or 专栏 item; the comment waits for
// staff whose subtree holds her org (a secretary above or of her branch, or an admin; never the
// commenter herself). Approval shows it under the item and earns the 发表观点 points (rule
// `opinion`, capped per day, once per comment); rejection tells her why. Either way she is notified.
//
// Choices:
// - A comment containing a listed sensitive word is refused (422 naming the word) and nothing is
//   stored: she rewrites it, and moderators are not shown what the list exists to keep out.
// - Names under an item follow the leaderboard rule: masked (张*) with her unit unless she agreed to
//   show her name or the deployment shows all names; staff moderating see the full name.
// - At most COMMENTS_PER_HOUR comments per person in any hour (429), counted in the database
//   under a lock on her row, so parallel requests and several nodes cannot exceed it.
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { AppError, conflict, notFound, unprocessable, validationError } from '../../lib/errors.js'
import { assertNotSelf, orgInScope, scopePrefix, type Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import type { CommentStatus, CommentTarget } from '../../db/types.js'
import { award } from '../points/index.js'
import { boardName } from '../privacy/index.js'
import { readPolicy } from '../policy/index.js'
import { notify } from '../notifications/index.js'
import * as q from './queries.js'
import type { CommentItem, ModerationItem } from './schemas.js'
import { findSensitive, matchForm, MAX_COMMENT_LENGTH, plainText } from './text.js'
import { isoTime, isoTimeOrNull } from '../../lib/time.js'

export const COMMENTS_PER_HOUR = 10
const HOUR_MS = 3_600_000

export const targetLink = (type: CommentTarget, id: number) =>
  type === 'material' ? `/study/materials/${id}` : `/campaign/column?tab=column&id=${id}`

type Namer = (row: q.CommentRow) => string

async function publicNamer(deps: Deps, viewer: Principal): Promise<Namer> {
  const mode = (await readPolicy(deps.db)).leaderboards
  return (row) => (row.user_id === viewer.userId ? row.user_name : boardName(row.user_name, row.consented, mode))
}

function toItem(row: q.CommentRow, viewer: Principal, name: Namer): CommentItem {
  return {
    id: row.id,
    targetType: row.target_type,
    targetId: row.target_id,
    content: row.content,
    status: row.status,
    reason: row.reason,
    createdAt: isoTime(row.created_at),
    moderatedAt: isoTimeOrNull(row.moderated_at),
    name: name(row),
    orgName: row.org_name,
    mine: row.user_id === viewer.userId,
  }
}

function toModerationItem(row: q.CommentRow, viewer: Principal): ModerationItem {
  return {
    ...toItem(row, viewer, (r) => r.user_name),
    userId: row.user_id,
    targetTitle: row.target_title,
    targetLink: targetLink(row.target_type, row.target_id),
    moderatorName: row.moderator_name,
  }
}

async function assertVisibleTarget(deps: Deps, type: CommentTarget, id: number): Promise<string> {
  const title = await q.visibleTargetTitle(deps.db, type, id)
  if (title === undefined) throw notFound(type === 'material' ? '学习资料' : '专栏文章')
  return title
}

export async function createComment(
  deps: Deps,
  principal: Principal,
  input: { targetType: CommentTarget; targetId: number; content: string },
) {
  const content = plainText(input.content)
  if (!content) throw validationError('请填写观点内容', [{ field: 'content', message: '去掉标签和空白后没有内容' }])
  if (Array.from(content).length > MAX_COMMENT_LENGTH)
    throw validationError(`观点最多 ${MAX_COMMENT_LENGTH} 字`, [{ field: 'content', message: `最多 ${MAX_COMMENT_LENGTH} 字` }])
  await assertVisibleTarget(deps, input.targetType, input.targetId)
  const word = findSensitive(content, await q.sensitiveWords(deps.db))
  if (word !== null)
    throw unprocessable(`内容含有不宜发布的用语“${word}”，请修改后再发表`, [{ field: 'content', message: '含有不宜发布的用语', word }])

  return withTransaction(deps, async (tx) => {
    const now = deps.clock.now()
    await q.lockUser(tx, principal.userId)
    const recent = await q.countSince(tx, principal.userId, new Date(now.getTime() - HOUR_MS))
    if (recent.n >= COMMENTS_PER_HOUR) {
      const retryAfterSeconds = recent.oldest ? Math.max(1, Math.ceil((recent.oldest.getTime() + HOUR_MS - now.getTime()) / 1000)) : 60
      throw new AppError(429, 'RATE_LIMITED', `每小时最多发表 ${COMMENTS_PER_HOUR} 条观点，请稍后再试`, { retryAfterSeconds })
    }
    const row = await q.insertComment(tx, { ...input, content, userId: principal.userId, orgId: principal.orgId, at: now })
    return { id: row.id, status: 'pending' as const }
  })
}

/** Approved comments under a target a member may see, with the viewer's own pending and rejected ones. */
export async function listComments(
  deps: Deps,
  principal: Principal,
  f: { targetType: CommentTarget; targetId: number; page: number; pageSize: number },
) {
  await assertVisibleTarget(deps, f.targetType, f.targetId)
  const [{ items, total }, name] = await Promise.all([
    q.listForTarget(deps.db, { ...f, viewerId: principal.userId }),
    publicNamer(deps, principal),
  ])
  return { items: items.map((r) => toItem(r, principal, name)), total }
}

export async function moderationQueue(deps: Deps, principal: Principal, f: { status?: CommentStatus; page: number; pageSize: number }) {
  const { items, total } = await q.listForModeration(deps.db, { ...f, scopePath: scopePrefix(principal) })
  return { items: items.map((r) => toModerationItem(r, principal)), total }
}

/**
 * Approves or rejects a waiting comment. Staff outside the commenter's subtree are told it does not
 * exist; nobody decides on their own; a decided comment is 409. The decision, the points (on
 * approval, idempotent per comment), the audit row and the author's notification commit together.
 */
export async function moderate(
  deps: Deps,
  principal: Principal,
  id: number,
  decision: { action: 'approve' } | { action: 'reject'; reason: string },
): Promise<ModerationItem> {
  const seen = await q.findComment(deps.db, id)
  if (!seen || !orgInScope(principal, seen.org_path)) throw notFound('观点')
  assertNotSelf(principal, seen.user_id)
  const reason = decision.action === 'reject' ? plainText(decision.reason) : null
  if (decision.action === 'reject' && !reason) throw validationError('请填写不予通过的原因', [{ field: 'reason', message: '不能为空' }])

  const pointsAwarded = await withTransaction(deps, async (tx, emit) => {
    const locked = await q.lockComment(tx, id)
    if (!locked) throw notFound('观点')
    if (locked.status !== 'pending') throw conflict('该观点已审核')
    const now = deps.clock.now()
    const status = decision.action === 'approve' ? 'approved' : 'rejected'
    await q.decide(tx, id, { status, reason, by: principal.userId, at: now })
    await audit(tx, principal.userId, `comment.${decision.action}`, 'comment', id, {
      authorId: seen.user_id,
      target: `${seen.target_type}:${seen.target_id}`,
      ...(reason && { reason }),
    })
    let points = 0
    if (status === 'approved') {
      const earned = await award(tx, {
        userId: seen.user_id,
        orgId: seen.org_id,
        rule: 'opinion',
        idemKey: `comment:${id}`,
        at: now,
        detail: { commentId: id },
      })
      points = earned.points
      if (!earned.duplicate && points > 0) emit('points:changed', seen.user_id)
    }
    const snippet = Array.from(seen.content).slice(0, 40).join('') + (Array.from(seen.content).length > 40 ? '…' : '')
    await notify(
      tx,
      emit,
      [seen.user_id],
      {
        kind: 'comment_moderated',
        cause: `comment:${id}:moderated`,
        link: targetLink(seen.target_type, seen.target_id),
        title: status === 'approved' ? '您发表的观点已通过审核' : '您发表的观点未通过审核',
        body:
          status === 'approved'
            ? `“${snippet}”已在《${seen.target_title ?? ''}》下展示${points > 0 ? `，获得 ${points} 积分` : ''}。`
            : `“${snippet}”未通过审核。原因：${reason}`,
      },
      now,
    )
    return points
  })
  const row = await q.findComment(deps.db, id)
  return { ...toModerationItem(row!, principal), ...(decision.action === 'approve' && { pointsAwarded }) }
}

export async function getSensitiveWords(deps: Deps) {
  return { words: await q.sensitiveWords(deps.db) }
}

/** Replaces the whole list (trimmed, duplicates by matching form dropped); audited with the counts. */
export async function putSensitiveWords(deps: Deps, principal: Principal, words: string[]) {
  const kept = new Map<string, string>()
  const errors: { field: string; message: string }[] = []
  words.forEach((raw, i) => {
    const word = raw.normalize('NFKC').trim()
    const form = matchForm(word)
    if (!form) errors.push({ field: `words/${i}`, message: '只有空白或标点，无法匹配' })
    else if (!kept.has(form)) kept.set(form, word)
  })
  if (errors.length) throw validationError('敏感词不能只有空白或标点', errors)
  const list = [...kept.values()]
  await withTransaction(deps, async (tx) => {
    const before = await q.sensitiveWords(tx)
    await q.replaceSensitiveWords(tx, list, principal.userId, deps.clock.now())
    await audit(tx, principal.userId, 'comment.words', 'comment_sensitive_words', null, {
      added: list.filter((w) => !before.includes(w)).length,
      removed: before.filter((w) => !list.includes(w)).length,
      total: list.length,
    })
  })
  return getSensitiveWords(deps)
}
