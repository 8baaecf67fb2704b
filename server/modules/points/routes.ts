import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { randomUUID } from 'node:crypto'
import { Paging, Text, withErrors } from '../../lib/schemas.js'
import { notFound, unprocessable } from '../../lib/errors.js'
import { assertNotSelf, orgInScope, scopePrefix } from '../../lib/scope.js'
import { addDays, shanghaiDate } from '../../lib/time.js'
import { audit } from '../../lib/audit.js'
import { withTransaction } from '../../lib/transaction.js'
import { adjust } from './award.js'
import { automationFlags, ledgerOf, myPoints } from './queries.js'
import { rulesOn, toRuleDto } from './rules.js'
import { pointsBoard } from './service.js'

const PeriodSchema = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('total')])
const RuleDto = Type.Object({ rule: Type.String(), name: Type.String(), points: Type.Integer(), dailyCap: Type.Union([Type.Integer(), Type.Null()]), weeklyCap: Type.Union([Type.Integer(), Type.Null()]), unitSeconds: Type.Union([Type.Integer(), Type.Null()]), version: Type.Integer(), effectiveFrom: Type.String() })

export const pointRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/points/me', {
    config: { access: 'signed-in' },
    schema: { tags: ['points'], summary: '我的积分：今日、总计、连续天数与各规则进度' },
  }, async (req) => myPoints(app.db, req.principal.userId, shanghaiDate(app.clock.now())))

  app.get('/points/ledger', {
    config: { access: 'signed-in' },
    schema: { tags: ['points'], summary: '积分明细', querystring: Type.Object({ ...Paging }) },
  }, async (req) => {
    const { page = 1, pageSize = 20 } = req.query
    const [items, total] = await ledgerOf(app.db, req.principal.userId, page, pageSize)
    return {
      items: items.map((i) => ({ id: i.id, rule: i.rule_code, name: i.rule_name ?? (i.rule_code === 'adjust' ? '积分调整' : i.rule_code), points: i.points, day: i.day, at: new Date(i.created_at).toISOString(), reason: i.reason })),
      total: total.n,
    }
  })

  app.get('/points/rules', {
    config: { access: 'signed-in' },
    schema: { tags: ['points'], summary: '当前积分规则', response: withErrors({ 200: Type.Array(RuleDto) }) },
  }, async () => (await rulesOn(app.db, shanghaiDate(app.clock.now()))).map(toRuleDto))

  app.post('/points/rules', {
    config: { access: 'admin' },
    schema: {
      tags: ['points'], summary: '修改积分规则（新建版本；已得积分不受影响）',
      body: Type.Object({
        rule: Text(40), name: Type.Optional(Text(40)), points: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
        dailyCap: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 1000 })])), // null first: coercion would turn null into 0
        weeklyCap: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 1000 })])),
        unitSeconds: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 10, maximum: 3600 })])),
        effectiveFrom: Type.Optional(Type.String({ format: 'date' })),
      }),
      response: withErrors({ 201: RuleDto, 422: Type.Any() }),
    },
  }, async (req, reply) => {
    const today = shanghaiDate(app.clock.now())
    const effectiveFrom = req.body.effectiveFrom ?? today
    if (effectiveFrom < today) throw unprocessable('规则只能从今天或以后生效，历史不可改写', [{ field: 'effectiveFrom', message: '不能早于今天' }])
    const current = (await rulesOn(app.db, addDays(effectiveFrom, 3650))).find((r) => r.code === req.body.rule)
    if (!current) throw notFound(`积分规则 ${req.body.rule} `)
    const row = await app.db.transaction().execute(async (tx) => {
      const created = await tx.insertInto('point_rules').values({
        code: current.code, name: req.body.name ?? current.name, points: req.body.points ?? current.points,
        daily_cap: req.body.dailyCap !== undefined ? req.body.dailyCap : current.daily_cap,
        weekly_cap: req.body.weeklyCap !== undefined ? req.body.weeklyCap : current.weekly_cap,
        unit_seconds: req.body.unitSeconds !== undefined ? req.body.unitSeconds : current.unit_seconds,
        sort: current.sort, effective_from: effectiveFrom, version: current.version + 1, created_by: req.principal.userId,
      }).returningAll().executeTakeFirstOrThrow()
      await audit(tx, req.principal.userId, 'points.rule', 'point_rule', created.code, { version: created.version, effectiveFrom })
      return created
    })
    return reply.status(201).send(toRuleDto({ ...row, effective_from: effectiveFrom }))
  })

  app.post('/points/adjustments', {
    config: { access: 'staff' },
    schema: {
      tags: ['points'], summary: '积分调整（留痕）',
      body: Type.Object({ userId: Type.Integer({ minimum: 1 }), points: Type.Integer({ minimum: -1000, maximum: 1000 }), reason: Text(500), requestId: Type.Optional(Type.String({ maxLength: 64 })) }),
    },
  }, async (req) => {
    const person = await app.db.selectFrom('users').innerJoin('orgs', 'orgs.id', 'users.org_id').select(['users.id', 'users.org_id', 'orgs.path']).where('users.id', '=', req.body.userId).executeTakeFirst()
    if (!person || !orgInScope(req.principal, person.path)) throw notFound('人员')
    assertNotSelf(req.principal, person.id)
    if (req.body.points === 0) throw unprocessable('调整分值不能为 0', [{ field: 'points', message: '不能为 0' }])
    // The correction, its audit row and the live-board nudge commit together.
    const result = await withTransaction(app, async (tx, emit) => {
      const adjusted = await adjust(tx, {
        userId: person.id, orgId: person.org_id, points: req.body.points, reason: req.body.reason, actorId: req.principal.userId,
        at: app.clock.now(), idemKey: `adjust:${req.body.requestId ?? randomUUID()}`,
      })
      if (!adjusted.duplicate) {
        await audit(tx, req.principal.userId, 'points.adjust', 'user', person.id, { userId: person.id, points: req.body.points }, req.body.reason)
        emit('points:changed', person.id)
      }
      return adjusted
    })
    return { ok: true, duplicate: result.duplicate }
  })

  app.get('/points/flags', {
    config: { access: 'staff' },
    schema: { tags: ['points'], summary: '疑似刷分提示（答题过快或过于均匀，仅供书记参考）' },
  }, async (req) => automationFlags(app.db, scopePrefix(req.principal), new Date(app.clock.now().getTime() - 7 * 86_400_000)))

  app.get('/leaderboards/points', {
    config: { access: 'signed-in' },
    schema: {
      tags: ['points'], summary: '积分排行：按个人或按组织（人均、参与率）',
      querystring: Type.Object({ period: Type.Optional(PeriodSchema), orgId: Type.Optional(Type.Integer({ minimum: 1 })), by: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('org')])) }),
      response: withErrors({ 200: Type.Array(Type.Object({ rank: Type.Integer(), id: Type.Integer(), name: Type.String(), points: Type.Number(), orgName: Type.Optional(Type.String()), members: Type.Optional(Type.Integer()), perCapita: Type.Optional(Type.Number()), participationRate: Type.Optional(Type.Number()) })) }),
    },
  }, async (req) => pointsBoard(app, req.principal, { period: req.query.period ?? 'day', orgId: req.query.orgId, by: req.query.by ?? 'user' }))
}
