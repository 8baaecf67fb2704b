import type { FastifyInstance } from 'fastify'
import { forbidden, notFound } from '../../lib/errors.js'
import { orgInScope, type Principal } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import { findOrg } from '../orgs/index.js'
import type { Period } from './periods.js'
import { orgBoard, userBoard, type BoardRow } from './queries.js'

/**
 * Which org a leaderboard may be about: one of the caller's own ancestors (my branch, my unit, the
 * department), or any org inside a secretary's or admin's scope. Default: the caller's top org.
 */
export async function boardOrg(app: FastifyInstance, principal: Principal, orgId?: number | null) {
  const id = orgId ?? Number(principal.orgPath.split('/').filter(Boolean)[0])
  const org = await findOrg(app.db, id)
  if (!org) throw notFound('组织')
  const isAncestorOrSelf = principal.orgPath.startsWith(org.path)
  if (!isAncestorOrSelf && !orgInScope(principal, org.path)) throw forbidden('只能查看本人所在组织及上级组织的排行')
  return org
}

export async function pointsBoard(app: FastifyInstance, principal: Principal, q: { period: Period; orgId?: number | null; by: 'user' | 'org' }): Promise<BoardRow[]> {
  const org = await boardOrg(app, principal, q.orgId)
  const day = shanghaiDate(app.clock.now())
  return q.by === 'org' ? orgBoard(app.db, q.period, day, org.id) : userBoard(app.db, q.period, day, org.path)
}
