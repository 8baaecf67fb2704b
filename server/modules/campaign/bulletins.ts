// 月工作提示: numbered bulletins (第N期) that admins issue to every unit; each person's first
// opening is her read receipt, and staff see per unit of their subtree how many have read one.
import { sql } from 'kysely'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { conflict, notFound } from '../../lib/errors.js'
import { scopePrefix, type Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import { cleanRichText } from './sanitize.js'
import type { BulletinBody, BulletinReceipt } from './schemas.js'
import { resolveOrg } from './tally.js'
import { isoTime, isoTimeOrNull } from '../../lib/time.js'

export async function issueBulletin(deps: Deps, principal: Principal, body: { title: string; bodyHtml: string }) {
  const html = cleanRichText(body.bodyHtml)
  return withTransaction(deps, async (tx) => {
    // One numbering for the whole deployment: 第N期 follows the last issue; the unique number
    // makes two admins issuing at once conflict rather than share a number.
    const next = (await sql<{ n: number }>`select coalesce(max(issue_no), 0)::int + 1 as n from campaign_bulletins`.execute(tx)).rows[0].n
    const row = await tx
      .insertInto('campaign_bulletins')
      .values({ issue_no: next, title: body.title.trim(), body_html: html, created_by: principal.userId, issued_at: deps.clock.now() })
      .onConflict((oc) => oc.column('issue_no').doNothing())
      .returning(['id', 'issue_no'])
      .executeTakeFirst()
    if (!row) throw conflict('另一期工作提示刚刚发布，请重试')
    await audit(tx, principal.userId, 'bulletin.issue', 'campaign_bulletin', row.id, { issueNo: row.issue_no })
    return { id: row.id, issueNo: row.issue_no }
  })
}

export async function listBulletins(deps: Deps, principal: Principal): Promise<BulletinBody[]> {
  const staff = principal.role !== 'member'
  const rows = await deps.db
    .selectFrom('campaign_bulletins as b')
    .leftJoin('campaign_bulletin_reads as r', (j) => j.onRef('r.bulletin_id', '=', 'b.id').on('r.user_id', '=', principal.userId))
    .select([
      'b.id',
      'b.issue_no',
      'b.title',
      'b.issued_at',
      'r.read_at',
      sql<number>`(select count(*)::int from campaign_bulletin_reads x join orgs o on o.id = x.org_id where x.bulletin_id = b.id and o.path like ${scopePrefix(principal) + '%'})`.as(
        'readers',
      ),
    ])
    .orderBy('b.issue_no', 'desc')
    .execute()
  return rows.map((b) => ({
    id: b.id,
    issueNo: b.issue_no,
    title: b.title,
    issuedAt: isoTime(b.issued_at),
    readAt: isoTimeOrNull(b.read_at),
    ...(staff && { readers: b.readers }),
  }))
}

/** Opens a bulletin: the first opening is recorded as the reader's receipt. */
export async function readBulletin(deps: Deps, principal: Principal, id: number): Promise<BulletinBody> {
  return withTransaction(deps, async (tx) => {
    const b = await tx.selectFrom('campaign_bulletins').selectAll().where('id', '=', id).executeTakeFirst()
    if (!b) throw notFound('工作提示')
    await tx
      .insertInto('campaign_bulletin_reads')
      .values({ bulletin_id: id, user_id: principal.userId, org_id: principal.orgId, read_at: deps.clock.now() })
      .onConflict((oc) => oc.columns(['bulletin_id', 'user_id']).doNothing())
      .execute()
    const mine = await tx
      .selectFrom('campaign_bulletin_reads')
      .select('read_at')
      .where('bulletin_id', '=', id)
      .where('user_id', '=', principal.userId)
      .executeTakeFirstOrThrow()
    return {
      id: b.id,
      issueNo: b.issue_no,
      title: b.title,
      issuedAt: isoTime(b.issued_at),
      readAt: isoTimeOrNull(mine.read_at),
      bodyHtml: b.body_html,
    }
  })
}

/** Read receipts per org of the caller's subtree (the org asked for and everything under it) that has people. */
export async function bulletinReceipts(deps: Deps, principal: Principal, id: number, orgId?: number): Promise<BulletinReceipt[]> {
  const org = await resolveOrg(deps.db, principal, orgId)
  const exists = await deps.db.selectFrom('campaign_bulletins').select('id').where('id', '=', id).executeTakeFirst()
  if (!exists) throw notFound('工作提示')
  const { rows } = await sql<{ org_id: number; name: string; members: number; readers: number; first_read_at: Date | null }>`
    select o.id as org_id, o.name,
      (select count(*)::int from users u where u.org_id = o.id and u.active) as members,
      (select count(*)::int from campaign_bulletin_reads r where r.bulletin_id = ${id} and r.org_id = o.id) as readers,
      (select min(r.read_at) from campaign_bulletin_reads r where r.bulletin_id = ${id} and r.org_id = o.id) as first_read_at
    from orgs o where o.path like ${org.path + '%'} and exists (select 1 from users u where u.org_id = o.id and u.active)
    order by o.path`.execute(deps.db)
  return rows.map((r) => ({
    orgId: r.org_id,
    name: r.name,
    members: r.members,
    readers: r.readers,
    firstReadAt: isoTimeOrNull(r.first_read_at),
  }))
}
