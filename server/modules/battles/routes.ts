// Battle routes: the day's rules and standing for the entry page, colleagues to invite, and the
// anti-automation list for secretaries. The game runs over the socket (events.ts).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { withErrors } from '../../lib/schemas.js'
import { scopePrefix } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import { BattleFlag, BattleToday, Colleague } from './schemas.js'
import { battleFlags, battleRulesOn, colleaguesOf, myBattlesOn } from './queries.js'
import { DEFAULT_BATTLE_TIMING } from './runtime.js'
import { RULE_OF } from './service.js'

const RULE_TEXT = {
  duel: '每日首局获胜得 2 分，失败得 1 分；每日上限 2 分',
  four: '每日首局第一名得 3 分，第二、三名得 2 分，第四名得 1 分；第二局第一名得 2 分，其余得 1 分；每日上限 5 分',
} as const

export const battleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/battles/today',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['battles'], summary: '对战：今日规则、已得积分与场次', response: withErrors({ 200: BattleToday }) },
    },
    async (req) => {
      const day = shanghaiDate(app.clock.now())
      const [rules, mine] = await Promise.all([
        battleRulesOn(app.db, req.principal.userId, day),
        myBattlesOn(app.db, req.principal.userId, day),
      ])
      return {
        day,
        rounds: DEFAULT_BATTLE_TIMING.rounds,
        roundSeconds: DEFAULT_BATTLE_TIMING.roundMs / 1000,
        rules: (['duel', 'four'] as const).map((mode) => {
          const rule = rules.find((r) => r.code === RULE_OF[mode])
          const played = mine.find((m) => m.mode === mode)
          return {
            mode,
            rule: RULE_OF[mode],
            name: rule?.name ?? mode,
            dailyCap: rule?.daily_cap ?? null,
            earnedToday: rule?.earned ?? 0,
            games: played?.games ?? 0,
            wins: played?.wins ?? 0,
            text: RULE_TEXT[mode],
          }
        }),
      }
    },
  )

  app.get(
    '/battles/colleagues',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['battles'], summary: '可邀请对战的本支部同事', response: withErrors({ 200: Type.Array(Colleague) }) },
    },
    async (req) => (await colleaguesOf(app.db, req.principal.orgId, req.principal.userId)).map((u) => ({ userId: u.id, name: u.name })),
  )

  app.get(
    '/battles/flags',
    {
      config: { access: 'staff' },
      schema: {
        tags: ['battles'],
        summary: '对战中答题快于阅读的记录（近 7 天，本组织范围，仅供书记参考）',
        response: withErrors({ 200: Type.Array(BattleFlag) }),
      },
    },
    async (req) => battleFlags(app.db, scopePrefix(req.principal), new Date(app.clock.now().getTime() - 7 * 86_400_000)),
  )
}
