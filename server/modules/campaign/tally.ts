// Tallies of the ledger: 场次 (sessions) and 人次 (attendance) per org subtree and type. Recorded
// activities count their distinct participants plus guests; 知识测试 and 自学 come from the exams'
// attempts and the points ledger, so nothing is entered twice. Totals are the sums over types.
import type { Deps } from '../../lib/deps.js'
import { forbidden, notFound } from '../../lib/errors.js'
import { orgInScope, type Principal } from '../../lib/scope.js'
import type { Period } from './period.js'
import * as q from './queries.js'
import { ACTIVITY_TYPES, TALLY_TYPES, type TallyBody, type TallyType } from './schemas.js'

export interface Figures {
  sessions: number
  attendance: number
}
export type TypeFigures = { type: TallyType } & Figures
export interface OrgRef {
  id: number
  name: string
  path: string
}

/** The org a scoped call is about: the one named (in scope, else 403), else the caller's own (admins: the root). */
export async function resolveOrg(db: q.Db, principal: Principal, orgId?: number): Promise<OrgRef> {
  const org =
    orgId !== undefined
      ? await q.findOrgRow(db, orgId)
      : principal.role === 'admin'
        ? await q.firstRootOrg(db)
        : await q.findOrgRow(db, principal.orgId)
  if (!org) throw notFound('组织')
  if (!orgInScope(principal, org.path)) throw forbidden('只能查看本组织及下级组织的台账')
  return org
}

type ActivityRows = Awaited<ReturnType<typeof q.activityFiguresByOrg>>

/** Figures of one subtree, from activity rows already grouped by org path plus its own exam and study queries. */
async function subtreeFigures(db: q.Db, rows: ActivityRows, path: string, period: Period): Promise<TypeFigures[]> {
  const byType = new Map<TallyType, Figures>(TALLY_TYPES.map((t) => [t, { sessions: 0, attendance: 0 }]))
  for (const r of rows) {
    if (!r.path.startsWith(path)) continue
    const f = byType.get(r.type)!
    f.sessions += r.sessions
    f.attendance += r.attendance
  }
  byType.set('test', await q.testFigures(db, { pathPrefix: path, ...period }))
  byType.set('self_study', await q.selfStudyFigures(db, { pathPrefix: path, ...period }))
  return TALLY_TYPES.map((type) => ({ type, ...byType.get(type)! }))
}

export const sum = (figures: Figures[]): Figures =>
  figures.reduce((a, f) => ({ sessions: a.sessions + f.sessions, attendance: a.attendance + f.attendance }), { sessions: 0, attendance: 0 })

/** Recorded activities only (the 五学 and 宣讲 types), without 知识测试 and 自学. */
export const activityTotals = (byType: TypeFigures[]) => sum(byType.filter((f) => (ACTIVITY_TYPES as readonly string[]).includes(f.type)))

export async function computeTally(db: q.Db, org: OrgRef, period: Period, labels: { from?: string; to?: string } = {}): Promise<TallyBody> {
  const rows = await q.activityFiguresByOrg(db, { pathPrefix: org.path, ...period })
  const byType = await subtreeFigures(db, rows, org.path, period)
  const children = await q.childOrgs(db, org.id)
  const byOrg = []
  for (const child of children) {
    const childTypes = await subtreeFigures(db, rows, child.path, period)
    byOrg.push({ orgId: child.id, name: child.name, ...sum(childTypes), byType: childTypes })
  }
  const byMonth = (await q.activityFiguresByPeriod(db, { pathPrefix: org.path, ...period }, 'month')).map(({ period: month, ...f }) => ({
    month,
    ...f,
  }))
  const byWeek = (await q.activityFiguresByPeriod(db, { pathPrefix: org.path, ...period }, 'week')).map(({ period: week, ...f }) => ({
    week,
    ...f,
  }))
  return {
    orgId: org.id,
    orgName: org.name,
    from: labels.from ?? null,
    to: labels.to ?? null,
    ...sum(byType),
    byType,
    byOrg,
    byMonth,
    byWeek,
  }
}

export async function tally(deps: Deps, principal: Principal, query: { orgId?: number; from?: string; to?: string }, period: Period) {
  const org = await resolveOrg(deps.db, principal, query.orgId)
  return computeTally(deps.db, org, period, { from: query.from, to: query.to })
}
