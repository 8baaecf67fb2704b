import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { forbidden, notFound, unprocessable } from '../../lib/errors.js'
import { assertNotSelf, orgInScope, type Principal } from '../../lib/scope.js'
import { addDays, shanghaiDate } from '../../lib/time.js'
import { withTransaction } from '../../lib/transaction.js'
import { findOrg } from '../orgs/index.js'
import { leaderboardMode, maskBoard } from '../privacy/index.js'
import { readPolicy } from '../policy/index.js'
import { adjust } from './award.js'
import type { Period } from './periods.js'
import { orgBoard, userBoard, type BoardRow } from './queries.js'
import { forgetRules, rulesOn, type Rule } from './rules.js'

/**
 * Which org a leaderboard may be about: one of the caller's own ancestors (my branch, my unit, the
 * department), or any org inside a secretary's or admin's scope. Default: the caller's top org.
 */
export async function boardOrg(db: Kysely<Database>, principal: Principal, orgId?: number | null) {
  const id = orgId ?? Number(principal.orgPath.split('/').filter(Boolean)[0])
  const org = await findOrg(db, id)
  if (!org) throw notFound('组织')
  const isAncestorOrSelf = principal.orgPath.startsWith(org.path)
  if (!isAncestorOrSelf && !orgInScope(principal, org.path)) throw forbidden('只能查看本人所在组织及上级组织的排行')
  return org
}

/**
 * A board as the deployment allows it: none when leaderboards are off (403 LEADERBOARDS_OFF),
 * people by name only with their consent (or when names are switched on for everyone).
 */
export async function boardRows(
  deps: Deps,
  org: { id: number; path: string },
  period: Period,
  by: 'user' | 'org',
  limit?: number,
): Promise<BoardRow[]> {
  await leaderboardMode(deps.db)
  const day = shanghaiDate(deps.clock.now())
  if (by === 'org') return orgBoard(deps.db, period, day, org.id)
  return maskBoard(deps.db, await userBoard(deps.db, period, day, org.path, limit), (r) => r.id)
}

export async function pointsBoard(
  deps: Deps,
  principal: Principal,
  q: { period: Period; orgId?: number | null; by: 'user' | 'org' },
): Promise<BoardRow[]> {
  const org = await boardOrg(deps.db, principal, q.orgId)
  return boardRows(deps, org, q.period, q.by)
}

/** login and the time rules are what 国办函〔2026〕12号 names (打卡签到, 在线时长): the console marks them. */
export function ruleKind(rule: Pick<Rule, 'code' | 'unit_seconds'>): 'login' | 'time' | 'activity' {
  return rule.code === 'login' ? 'login' : rule.unit_seconds !== null ? 'time' : 'activity'
}

/** The rules in force today, each with its kind and whether the policy lets it earn. */
export async function currentRules(deps: Deps) {
  const [rules, policy] = await Promise.all([rulesOn(deps.db, shanghaiDate(deps.clock.now())), readPolicy(deps.db)])
  return rules.map((r) => ({ rule: r, kind: ruleKind(r), enabled: policy.pointsEnabled && !policy.disabledPointRules.includes(r.code) }))
}

/** A rule change is a new version from a date (today or later); points already earned keep theirs. */
export async function changeRule(
  deps: Deps,
  principal: Principal,
  body: {
    rule: string
    name?: string
    points?: number
    dailyCap?: number | null
    weeklyCap?: number | null
    unitSeconds?: number | null
    effectiveFrom?: string
  },
) {
  const today = shanghaiDate(deps.clock.now())
  const effectiveFrom = body.effectiveFrom ?? today
  if (effectiveFrom < today)
    throw unprocessable('规则只能从今天或以后生效，历史不可改写', [{ field: 'effectiveFrom', message: '不能早于今天' }])
  const current = (await rulesOn(deps.db, addDays(effectiveFrom, 3650))).find((r) => r.code === body.rule)
  if (!current) throw notFound(`积分规则 ${body.rule} `)
  const row = await withTransaction(deps, async (tx) => {
    const created = await tx
      .insertInto('point_rules')
      .values({
        code: current.code,
        name: body.name ?? current.name,
        points: body.points ?? current.points,
        daily_cap: body.dailyCap !== undefined ? body.dailyCap : current.daily_cap,
        weekly_cap: body.weeklyCap !== undefined ? body.weeklyCap : current.weekly_cap,
        unit_seconds: body.unitSeconds !== undefined ? body.unitSeconds : current.unit_seconds,
        sort: current.sort,
        effective_from: effectiveFrom,
        version: current.version + 1,
        created_by: principal.userId,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await audit(tx, principal.userId, 'points.rule', 'point_rule', created.code, { version: created.version, effectiveFrom })
    return created
  })
  forgetRules(deps.db)
  return { ...row, effective_from: effectiveFrom }
}

/** A staff correction: scoped, never on oneself, audited with its reason, idempotent by requestId. */
export async function adjustPoints(
  deps: Deps,
  principal: Principal,
  body: { userId: number; points: number; reason: string; requestId?: string },
) {
  const person = await deps.db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.org_id', 'orgs.path'])
    .where('users.id', '=', body.userId)
    .executeTakeFirst()
  if (!person || !orgInScope(principal, person.path)) throw notFound('人员')
  assertNotSelf(principal, person.id)
  if (body.points === 0) throw unprocessable('调整分值不能为 0', [{ field: 'points', message: '不能为 0' }])
  // The correction, its audit row and the live-board nudge commit together.
  return withTransaction(deps, async (tx, emit) => {
    const adjusted = await adjust(tx, {
      userId: person.id,
      orgId: person.org_id,
      points: body.points,
      reason: body.reason,
      actorId: principal.userId,
      at: deps.clock.now(),
      idemKey: `adjust:${body.requestId ?? randomUUID()}`,
    })
    if (!adjusted.duplicate) {
      await audit(tx, principal.userId, 'points.adjust', 'user', person.id, { userId: person.id, points: body.points }, body.reason)
      emit('points:changed', person.id)
    }
    return adjusted
  })
}
