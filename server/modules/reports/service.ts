// The participation report: which org and period a request means, checked against the caller's
// scope, then the figures.
import type { Deps } from '../../lib/deps.js'
import { forbidden, notFound, unprocessable } from '../../lib/errors.js'
import { orgInScope, type Principal } from '../../lib/scope.js'
import { dayjs, shanghaiDate, ZONE } from '../../lib/time.js'
import { participationReport } from './queries.js'

/** Longest range one report may cover, in days (a leap year). */
export const MAX_RANGE_DAYS = 366

export interface ReportRequest {
  from?: string
  to?: string
  orgId?: number
}

/** Default period: this month (or from `from` to today); default org: the caller's own (admins: the top org). */
export async function participation(deps: Pick<Deps, 'db' | 'clock'>, principal: Principal, query: ReportRequest) {
  const today = dayjs(deps.clock.now()).tz(ZONE)
  const from = query.from ?? today.startOf('month').format('YYYY-MM-DD')
  const to = query.to ?? (query.from ? shanghaiDate(deps.clock.now()) : today.endOf('month').format('YYYY-MM-DD'))
  if (from > to) throw unprocessable('开始日期不能晚于结束日期', [{ field: 'from', message: '不能晚于结束日期' }])
  const days = dayjs.tz(to, ZONE).diff(dayjs.tz(from, ZONE), 'day') + 1
  if (days > MAX_RANGE_DAYS)
    throw unprocessable(`统计区间不能超过 ${MAX_RANGE_DAYS} 天`, [{ field: 'to', message: `距开始日期不能超过 ${MAX_RANGE_DAYS} 天` }])

  const orgs = deps.db.selectFrom('orgs').select(['id', 'name', 'path'])
  const org =
    query.orgId !== undefined
      ? await orgs.where('id', '=', query.orgId).executeTakeFirst()
      : principal.role === 'admin'
        ? await orgs.where('parent_id', 'is', null).orderBy('sort').orderBy('id').executeTakeFirst()
        : await orgs.where('id', '=', principal.orgId).executeTakeFirst()
  if (!org) throw notFound('组织')
  if (!orgInScope(principal, org.path)) throw forbidden('只能查看本组织及下级组织的统计')
  return { org, from, to, report: await participationReport(deps.db, org, from, to) }
}
