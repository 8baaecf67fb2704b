// 简报 and the 专栏: a unit's staff submit a briefing (rich text with pictures) up the tree; staff
// above that unit — a secretary of an ancestor org, or an admin, never the unit's own staff —
// publish it to the 专栏 or return it with a note. Members read published briefings in the app;
// each person's first opening adds one to its read count.
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { conflict, forbidden, notFound, unprocessable } from '../../lib/errors.js'
import { orgInScope, scopePrefix, type Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import type { Db } from './queries.js'
import { cleanRichText } from './sanitize.js'
import type { BriefingBody } from './schemas.js'
import { isoTime, isoTimeOrNull } from '../../lib/time.js'

function columns(db: Db) {
  return db
    .selectFrom('campaign_briefings as b')
    .innerJoin('orgs as o', 'o.id', 'b.org_id')
    .select([
      'b.id',
      'b.org_id',
      'o.name as org_name',
      'o.path as org_path',
      'b.title',
      'b.status',
      'b.submitted_at',
      'b.published_at',
      'b.review_note',
      'b.reads',
      'b.body_html',
      'b.submitted_by',
    ])
}
type Row = Awaited<ReturnType<ReturnType<typeof columns>['executeTakeFirstOrThrow']>>

const toBody = (b: Row, withBody = false): BriefingBody => ({
  id: b.id,
  orgId: b.org_id,
  orgName: b.org_name,
  title: b.title,
  status: b.status,
  submittedAt: isoTime(b.submitted_at),
  publishedAt: isoTimeOrNull(b.published_at),
  reviewNote: b.review_note,
  reads: b.reads,
  ...(withBody && { bodyHtml: b.body_html }),
})

export async function submitBriefing(deps: Deps, principal: Principal, body: { orgId: number; title: string; bodyHtml: string }) {
  const html = cleanRichText(body.bodyHtml)
  return withTransaction(deps, async (tx) => {
    const org = await tx.selectFrom('orgs').select(['id', 'path']).where('id', '=', body.orgId).executeTakeFirst()
    if (!org) throw unprocessable('组织不存在', [{ field: 'orgId', message: '组织不存在' }])
    if (!orgInScope(principal, org.path)) throw forbidden('只能以本组织及下级组织的名义报送简报')
    const row = await tx
      .insertInto('campaign_briefings')
      .values({ org_id: org.id, title: body.title.trim(), body_html: html, submitted_by: principal.userId, submitted_at: deps.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow()
    await audit(tx, principal.userId, 'briefing.submit', 'campaign_briefing', row.id, { orgId: org.id })
    return { id: row.id }
  })
}

export async function listBriefings(deps: Deps, principal: Principal, q: { orgId?: number; status?: BriefingBody['status'] }) {
  let query = columns(deps.db).where('o.path', 'like', `${scopePrefix(principal)}%`)
  if (q.orgId !== undefined) {
    const org = await deps.db.selectFrom('orgs').select('path').where('id', '=', q.orgId).executeTakeFirst()
    if (!org) throw notFound('组织')
    if (!orgInScope(principal, org.path)) throw forbidden('只能查看本组织及下级组织的简报')
    query = query.where('o.path', 'like', `${org.path}%`)
  }
  if (q.status) query = query.where('b.status', '=', q.status)
  return (await query.orderBy('b.submitted_at', 'desc').orderBy('b.id', 'desc').limit(500).execute()).map((b) => toBody(b))
}

export async function reviewBriefing(
  deps: Deps,
  principal: Principal,
  id: number,
  review: { action: 'publish' | 'return'; note?: string | null },
) {
  return withTransaction(deps, async (tx) => {
    const b = await columns(tx).where('b.id', '=', id).forUpdate('b').executeTakeFirst()
    if (!b) throw notFound('简报')
    if (!orgInScope(principal, b.org_path)) throw forbidden('只能审核本组织下级单位的简报')
    // Up the tree: a unit's own staff do not publish their own briefing.
    if (principal.role !== 'admin' && principal.orgPath === b.org_path) throw forbidden('本单位的简报由上级审核发布')
    if (b.submitted_by === principal.userId) throw forbidden('不能审核自己报送的简报，请由另一位管理人员办理')
    if (b.status !== 'submitted') throw conflict('该简报已审核')
    const now = deps.clock.now()
    await tx
      .updateTable('campaign_briefings')
      .set({
        status: review.action === 'publish' ? 'published' : 'returned',
        reviewed_by: principal.userId,
        review_note: review.note ?? null,
        published_at: review.action === 'publish' ? now : null,
      })
      .where('id', '=', id)
      .execute()
    await audit(tx, principal.userId, `briefing.${review.action}`, 'campaign_briefing', id, { note: review.note ?? null })
    return toBody(await columns(tx).where('b.id', '=', id).executeTakeFirstOrThrow())
  })
}

/** The 专栏: published briefings, newest first, for everyone signed in. */
export async function column(deps: Deps) {
  return (await columns(deps.db).where('b.status', '=', 'published').orderBy('b.published_at', 'desc').limit(200).execute()).map((b) =>
    toBody(b),
  )
}

export async function readColumnItem(deps: Deps, principal: Principal, id: number) {
  return withTransaction(deps, async (tx) => {
    const b = await columns(tx).where('b.id', '=', id).where('b.status', '=', 'published').executeTakeFirst()
    if (!b) throw notFound('简报')
    const first = await tx
      .insertInto('campaign_briefing_reads')
      .values({ briefing_id: id, user_id: principal.userId, read_at: deps.clock.now() })
      .onConflict((oc) => oc.columns(['briefing_id', 'user_id']).doNothing())
      .returning('briefing_id')
      .executeTakeFirst()
    if (first)
      await tx
        .updateTable('campaign_briefings')
        .set((eb) => ({ reads: eb('reads', '+', 1) }))
        .where('id', '=', id)
        .execute()
    return toBody({ ...b, reads: b.reads + (first ? 1 : 0) }, true)
  })
}

/** A briefing in the caller's scope, with its text (staff, any status). */
export async function getBriefing(deps: Deps, principal: Principal, id: number) {
  const b = await columns(deps.db).where('b.id', '=', id).executeTakeFirst()
  if (!b) throw notFound('简报')
  if (!orgInScope(principal, b.org_path)) throw forbidden('只能查看本组织及下级组织的简报')
  return toBody(b, true)
}
