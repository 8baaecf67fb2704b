import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { Paging, Text, withErrors } from '../../lib/schemas.js'
import { scopePrefix } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import { readPolicy } from '../policy/index.js'
import { automationFlags, ledgerOf, myPoints } from './queries.js'
import { toRuleDto } from './rules.js'
import { adjustPoints, changeRule, currentRules, pointsBoard, ruleKind } from './service.js'
import { AdjustResult, FlagRow, LedgerPage, MyPointsBody, PeriodSchema, RuleDto } from './schemas.js'

export const pointRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/points/me',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['points'], summary: '我的积分：今日、总计、连续天数与各规则进度', response: withErrors({ 200: MyPointsBody }) },
    },
    async (req) => {
      const [mine, rules] = await Promise.all([
        myPoints(app.db, req.principal.userId, shanghaiDate(app.clock.now())),
        currentRules(app.deps),
      ])
      const enabled = new Map(rules.map((r) => [r.rule.code, r.enabled]))
      // Rules the deployment switched off are left out; the figures earned before stay.
      return { ...mine, enabled: rules.some((r) => r.enabled), rules: mine.rules.filter((r) => enabled.get(r.rule)) }
    },
  )

  app.get(
    '/points/ledger',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['points'], summary: '积分明细', querystring: Type.Object({ ...Paging }), response: withErrors({ 200: LedgerPage }) },
    },
    async (req) => {
      const { page = 1, pageSize = 20 } = req.query
      const [items, total] = await ledgerOf(app.db, req.principal.userId, page, pageSize)
      return {
        items: items.map((i) => ({
          id: i.id,
          rule: i.rule_code,
          name: i.rule_name ?? (i.rule_code === 'adjust' ? '积分调整' : i.rule_code),
          points: i.points,
          day: i.day,
          at: new Date(i.created_at).toISOString(),
          reason: i.reason,
        })),
        total: total.n,
      }
    },
  )

  app.get(
    '/points/rules',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['points'], summary: '当前积分规则', response: withErrors({ 200: Type.Array(RuleDto) }) },
    },
    async () => (await currentRules(app.deps)).map(({ rule, kind, enabled }) => ({ ...toRuleDto(rule), kind, enabled })),
  )

  app.post(
    '/points/rules',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['points'],
        summary: '修改积分规则（新建版本；已得积分不受影响）',
        body: Type.Object({
          rule: Text(40),
          name: Type.Optional(Text(40)),
          points: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
          dailyCap: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 1000 })])), // null first: coercion would turn null into 0
          weeklyCap: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0, maximum: 1000 })])),
          unitSeconds: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 10, maximum: 3600 })])),
          effectiveFrom: Type.Optional(Type.String({ format: 'date' })),
        }),
        response: withErrors({ 201: RuleDto }),
      },
    },
    async (req, reply) => {
      const row = await changeRule(app.deps, req.principal, req.body)
      const policy = await readPolicy(app.db)
      return reply
        .status(201)
        .send({ ...toRuleDto(row), kind: ruleKind(row), enabled: policy.pointsEnabled && !policy.disabledPointRules.includes(row.code) })
    },
  )

  app.post(
    '/points/adjustments',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['points'],
        summary: '积分调整（留痕）',
        body: Type.Object({
          userId: Type.Integer({ minimum: 1 }),
          points: Type.Integer({ minimum: -1000, maximum: 1000 }),
          reason: Text(500),
          requestId: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: withErrors({ 200: AdjustResult }),
      },
    },
    async (req) => ({ ok: true, duplicate: (await adjustPoints(app.deps, req.principal, req.body)).duplicate }),
  )

  app.get(
    '/points/flags',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['points'],
        summary: '疑似刷分提示（答题过快或过于均匀，仅供书记参考）',
        response: withErrors({ 200: Type.Array(FlagRow) }),
      },
    },
    async (req) => automationFlags(app.db, scopePrefix(req.principal), new Date(app.clock.now().getTime() - 7 * 86_400_000)),
  )

  app.get(
    '/leaderboards/points',
    {
      config: { access: 'signed-in' },
      schema: {
        tags: ['points'],
        summary: '积分排行：按个人或按组织（人均、参与率）',
        querystring: Type.Object({
          period: Type.Optional(PeriodSchema),
          orgId: Type.Optional(Type.Integer({ minimum: 1 })),
          by: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('org')])),
        }),
        response: withErrors({
          200: Type.Array(
            Type.Object({
              rank: Type.Integer(),
              id: Type.Integer(),
              name: Type.String(),
              points: Type.Number(),
              orgName: Type.Optional(Type.String()),
              members: Type.Optional(Type.Integer()),
              perCapita: Type.Optional(Type.Number()),
              participationRate: Type.Optional(Type.Number()),
            }),
          ),
        }),
      },
    },
    async (req) =>
      pointsBoard(app.deps, req.principal, { period: req.query.period ?? 'day', orgId: req.query.orgId, by: req.query.by ?? 'user' }),
  )
}
