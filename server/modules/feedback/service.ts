// 投诉建议 (required of 政务应用程序 by 国办函〔2026〕12号): members submit, optionally anonymous;
// staff whose subtree holds the submitter's org answer; items move submitted → answered → closed.
// Anonymous means staff never see who wrote it — only the unit, so the right people can answer.
import type { Deps } from '../../lib/deps.js'
import type { FeedbackStatus } from '../../db/types.js'
import { audit } from '../../lib/audit.js'
import { conflict, notFound } from '../../lib/errors.js'
import { assertNotSelf, orgInScope, roleAtLeast, scopePrefix, type Principal } from '../../lib/scope.js'
import { dayjs, ZONE, isoTime, isoTimeOrNull } from '../../lib/time.js'
import { withTransaction } from '../../lib/transaction.js'
import { readPolicy } from '../policy/index.js'
import { notify } from '../notifications/index.js'
import * as q from './queries.js'
import type { FeedbackItem } from './schemas.js'

type Row = NonNullable<Awaited<ReturnType<typeof q.findFeedback>>>

function toItem(row: Row, viewer: Principal, overdueBefore: Date): FeedbackItem {
  const mine = row.user_id === viewer.userId
  return {
    id: row.id,
    category: row.category,
    content: row.content,
    status: row.status,
    createdAt: isoTime(row.created_at),
    orgId: row.org_id,
    orgName: row.org_name,
    ...((!row.anonymous || mine) && row.user_name ? { name: row.user_name } : {}),
    anonymous: row.anonymous,
    reply: row.reply,
    repliedAt: isoTimeOrNull(row.replied_at),
    closedAt: isoTimeOrNull(row.closed_at),
    overdue: row.status === 'submitted' && new Date(row.created_at) < overdueBefore,
    mine,
  }
}

async function overdueBefore(deps: Deps): Promise<Date> {
  const days = (await readPolicy(deps.db)).feedbackAnswerDays
  return new Date(deps.clock.now().getTime() - days * 86_400_000)
}

const isStaff = (p: Principal) => roleAtLeast(p.role, 'secretary')

export async function submitFeedback(deps: Deps, principal: Principal, input: { category: string; content: string; anonymous?: boolean }) {
  const row = await q.insertFeedback(deps.db, {
    userId: principal.userId,
    orgId: principal.orgId,
    category: input.category,
    content: input.content.trim(),
    anonymous: input.anonymous ?? false,
    at: deps.clock.now(),
  })
  return { id: row.id, status: row.status }
}

/** Members always get their own; staff get their subtree's unless they ask for their own (mine=true). */
export async function listFeedback(
  deps: Deps,
  principal: Principal,
  f: { mine?: boolean; status?: 'submitted' | 'answered' | 'closed'; page: number; pageSize: number },
) {
  const own = f.mine || !isStaff(principal)
  const { items, total } = await q.listFeedback(deps.db, {
    ...(own ? { userId: principal.userId } : { scopePath: scopePrefix(principal) }),
    status: f.status,
    page: f.page,
    pageSize: f.pageSize,
  })
  const before = await overdueBefore(deps)
  return { items: items.map((r) => toItem(r, principal, before)), total }
}

/** The submitter, or staff whose subtree holds the submitter's org; anyone else is told it does not exist. */
async function visible(deps: Deps, principal: Principal, id: number) {
  const row = await q.findFeedback(deps.db, id)
  if (!row || (row.user_id !== principal.userId && !(isStaff(principal) && orgInScope(principal, row.org_path)))) throw notFound('投诉建议')
  return row
}

export async function getFeedback(deps: Deps, principal: Principal, id: number) {
  return toItem(await visible(deps, principal, id), principal, await overdueBefore(deps))
}

export async function replyFeedback(deps: Deps, principal: Principal, id: number, text: string) {
  const row = await visible(deps, principal, id)
  if (!isStaff(principal) || !orgInScope(principal, row.org_path)) throw notFound('投诉建议')
  // Nobody answers their own complaint with staff powers.
  if (row.user_id !== null) assertNotSelf(principal, row.user_id)
  await withTransaction(deps, async (tx, emit) => {
    const at = deps.clock.now()
    // A closed item stays closed: the update checks it, so a close made meanwhile still counts.
    if (!(await q.setReply(tx, id, text.trim(), principal.userId, at))) throw conflict('该事项已办结，不能再答复')
    await audit(tx, principal.userId, 'feedback.reply', 'feedback', id)
    // The submitter hears of the answer (anonymous or not: she wrote it, the system knows her).
    if (row.user_id !== null) {
      await notify(
        tx,
        emit,
        [row.user_id],
        {
          kind: 'feedback_replied',
          cause: `feedback:${id}:replied`,
          link: '/me/feedback',
          title: `您的${row.category}已答复`,
          body: text.trim().slice(0, 80),
        },
        at,
      )
    }
  })
  return getFeedback(deps, principal, id)
}

/** The submitter closes her item, or staff close it once answered. */
export async function closeFeedback(deps: Deps, principal: Principal, id: number) {
  const row = await visible(deps, principal, id)
  if (row.status === 'closed') return getFeedback(deps, principal, id)
  const own = row.user_id === principal.userId
  if (!own && row.status !== 'answered') throw conflict('请先答复，再办结')
  // The update checks the status again: closed once, audited once, however many ask at the same time.
  const from: FeedbackStatus[] = own ? ['submitted', 'answered'] : ['answered']
  await withTransaction(deps, async (tx) => {
    if (await q.setClosed(tx, id, from, deps.clock.now())) await audit(tx, principal.userId, 'feedback.close', 'feedback', id)
  })
  return getFeedback(deps, principal, id)
}

/** The monthly summary for admins (a Shanghai calendar month; default the current one). */
export async function feedbackSummary(deps: Deps, month?: string) {
  const start = month ? dayjs.tz(`${month}-01`, ZONE) : dayjs(deps.clock.now()).tz(ZONE).startOf('month')
  const s = await q.monthSummary(deps.db, start.toDate(), start.add(1, 'month').toDate(), await overdueBefore(deps))
  return {
    month: start.format('YYYY-MM'),
    submitted: s.submitted,
    answered: s.answered,
    closed: s.closed,
    open: s.open,
    overdue: s.overdue,
    avgAnswerHours: s.avg_hours === null ? null : Math.round(s.avg_hours * 10) / 10,
    byCategory: s.byCategory,
  }
}

/**
 * The response-time reminder: an item unanswered past the policy's days reaches the secretaries
 * of the submitter's org and the orgs above it (the admins when there are none), once per person
 * and item. Safe on several nodes: the notification is unique per person and cause.
 */
export async function remindOverdueFeedback(deps: Deps): Promise<number> {
  const days = (await readPolicy(deps.db)).feedbackAnswerDays
  let sent = 0
  for (const item of await q.unansweredSince(deps.db, await overdueBefore(deps))) {
    const staff = await q.answerersOf(deps.db, item.org_path)
    const to = staff.length ? staff : await q.adminIds(deps.db)
    sent += await withTransaction(deps, (tx, emit) =>
      notify(
        tx,
        emit,
        to,
        {
          kind: 'feedback_overdue',
          cause: `feedback:${item.id}:overdue`,
          link: '/console/feedback',
          title: `有${item.category}超过 ${days} 天未答复`,
          body: `来自${item.org_name}，请尽快答复。`,
        },
        deps.clock.now(),
      ),
    )
  }
  return sent
}

/** Runs the reminder now and every `everyMs`; returns the function that stops it. */
export function startFeedbackReminders(deps: Deps, everyMs = 10 * 60_000): () => void {
  const tick = () => remindOverdueFeedback(deps).catch((err) => deps.log.warn({ err }, 'feedback reminders failed; will retry'))
  const timer = setInterval(tick, everyMs)
  timer.unref()
  void tick()
  return () => clearInterval(timer)
}
