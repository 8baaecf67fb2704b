// Sending 通报: for a period that has ended, each active secretary gets her subtree's and each
// active admin the deployment's, as a notification (kind `bulletin`) linking to the stored 通报 and
// its xlsx. One per (period, start, recipient): a second run, a second node or the schedule after
// an on-demand run sends nothing new. Figures are computed once per scope and run; each recipient's
// row, its audit row (when it lists individuals) and her notification commit together.
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { notFound } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { addDays } from '../../lib/time.js'
import { withTransaction } from '../../lib/transaction.js'
import { claimFanout, notify } from '../notifications/index.js'
import { readPolicy } from '../policy/index.js'
import { computeFigures, scopeOf, type CircularFigures } from './figures.js'
import { lastComplete, periodOf, scheduledDue, type CircularPeriod, type PeriodKind } from './periods.js'
import * as q from './queries.js'
import type { CircularItem, RunBody } from './schemas.js'
import { placeholderValues, readTemplate, render } from './template.js'
import { circularXlsx } from './xlsx.js'

/** The fan-out claim that marks a period's run complete (the schedule then skips it). */
const runCause = (p: CircularPeriod) => `bulletins:${p.kind}:${p.start}`

/** Sends this period's 通报 to everyone who has not had it; returns how many went out now. */
export async function sendCirculars(deps: Deps, period: CircularPeriod, opts: { threshold?: number; actorId: number | null }) {
  const template = await readTemplate(deps.db)
  const threshold = opts.threshold ?? (period.kind === 'week' ? template.weekThreshold : template.monthThreshold)
  // Individual study-points lists only where the deployment switched them on — for admins too: a
  // 通报 is pushed to people, and pushing a list of low scorers is what the rule forbids by default.
  const withList = (await readPolicy(deps.db)).secretaryIndividualLists
  const now = deps.clock.now()
  const already = new Set(
    (
      await deps.db
        .selectFrom('circulars')
        .select('recipient_id')
        .where('period', '=', period.kind)
        .where('period_start', '=', period.start)
        .execute()
    ).map((r) => r.recipient_id),
  )
  const computed = new Map<string, CircularFigures>()
  let sent = 0
  for (const r of await q.recipients(deps.db)) {
    if (already.has(r.id)) continue
    const scope = await scopeOf(deps.db, r)
    let figures = computed.get(scope.path)
    if (!figures) {
      figures = await computeFigures(deps.db, scope, period, { threshold, withList, now })
      computed.set(scope.path, figures)
    }
    const values = placeholderValues(figures)
    const title = render(template.title, values)
    const body = render(template.body, values)
    const f = figures
    sent += await withTransaction(deps, async (tx, emit) => {
      const row = await q.insertCircular(tx, {
        period: period.kind,
        period_start: period.start,
        period_end: period.end,
        recipient_id: r.id,
        org_id: scope.orgId,
        scope_path: scope.path,
        scope_name: scope.name,
        title,
        body,
        figures: JSON.stringify(f),
        includes_list: Boolean(f.lowScorers),
        created_by: opts.actorId,
        created_at: now,
      })
      if (!row) return 0
      if (f.lowScorers) {
        await audit(tx, opts.actorId, 'circular.individual_list', 'circular', row.id, {
          recipientId: r.id,
          scope: scope.name,
          period: period.label,
          people: f.lowScorers.length,
        })
      }
      await notify(
        tx,
        emit,
        [r.id],
        { kind: 'bulletin', cause: `bulletin:${period.kind}:${period.start}`, title, body, link: `/console/bulletins?id=${row.id}` },
        now,
      )
      return 1
    })
  }
  return sent
}

/** `POST /api/bulletins/run`: the last complete week or month, now. */
export async function runOnDemand(deps: Deps, principal: Principal, body: RunBody) {
  const period = lastComplete(body.period, deps.clock.now())
  const sent = await sendCirculars(deps, period, { threshold: body.threshold, actorId: principal.userId })
  await withTransaction(deps, async (tx) => {
    await audit(tx, principal.userId, 'circular.run', 'circular', null, {
      period: body.period,
      start: period.start,
      threshold: body.threshold ?? null,
      sent,
    })
    await claimFanout(tx, runCause(period), sent, deps.clock.now())
  })
  return { sent, period: body.period, periodStart: period.start, periodEnd: addDays(period.end, -1) }
}

/** The schedule: the previous week on Monday from 08:00, the previous month on the 1st from 08:00. */
export async function runScheduledCirculars(deps: Deps): Promise<number> {
  let sent = 0
  for (const kind of ['week', 'month'] as PeriodKind[]) {
    const period = scheduledDue(kind, deps.clock.now())
    if (!period) continue
    if ((await q.claimedCauses(deps.db, [runCause(period)])).size) continue
    const now = await sendCirculars(deps, period, { actorId: null })
    sent += now
    await claimFanout(deps.db, runCause(period), now, deps.clock.now())
  }
  return sent
}

const toItem = (r: Awaited<ReturnType<typeof q.listOwn>>[number]): CircularItem => ({
  id: r.id,
  period: r.period,
  periodStart: r.period_start,
  periodEnd: addDays(r.period_end, -1),
  label: periodOf(r.period, r.period_start).label,
  orgName: r.scope_name,
  title: r.title,
  body: r.body,
  includesList: r.includes_list,
  createdAt: new Date(r.created_at).toISOString(),
})

/** The 通报 I received, newest period first. */
export async function listOwnCirculars(deps: Deps, principal: Principal, limit = 50): Promise<CircularItem[]> {
  const rows = await q.listOwn(deps.db, principal.userId, limit)
  return rows.map(toItem)
}

/** My 通报 as a workbook; another person's is as if it did not exist (404). */
export async function circularWorkbook(deps: Deps, principal: Principal, id: number) {
  const row = await q.findOwn(deps.db, id, principal.userId)
  if (!row) throw notFound('通报')
  const figures = row.figures as CircularFigures
  const ids = [
    ...new Set([...figures.exams.flatMap((e) => e.missedPeople.map((p) => p.userId)), ...(figures.lowScorers ?? []).map((p) => p.userId)]),
  ]
  const names = new Map((await q.userNames(deps.db, ids)).map((u) => [u.id, u.name]))
  const buffer = await circularXlsx({ title: row.title, body: row.body, figures }, names)
  await audit(deps.db, principal.userId, 'export.circular', 'circular', id, { people: ids.length, includesList: row.includes_list })
  return { buffer, filename: `${row.title}.xlsx`, ascii: `circular-${row.period}-${row.period_start}.xlsx` }
}
