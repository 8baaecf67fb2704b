// Verified study time. The page sends a heartbeat about every 15 s while it is visible. Time is
// credited from one clock per person — the gap since that person's last credited beat, and only
// when the gap is short — so counted time never exceeds wall time and a second tab adds nothing.
import type { Deps } from '../../lib/deps.js'
import { sql } from 'kysely'
import type { Principal } from '../../lib/scope.js'
import { shanghaiDate } from '../../lib/time.js'
import { award, ruleOn, type AwardResult } from '../points/index.js'
import { withTransaction, type Tx } from '../../lib/transaction.js'

export const HEARTBEAT_SECONDS = 15
/** A longer silence means the page was hidden or closed: that gap is not study time. */
const MAX_GAP_SECONDS = 40
/** Reading this long (verified) counts an article or video as studied. */
const STUDIED_AFTER_SECONDS = 30

export async function heartbeat(deps: Deps, principal: Principal, material: { id: number; kind: 'article' | 'video' }, visible: boolean) {
  const now = deps.clock.now()
  const day = shanghaiDate(now)
  // Crediting the time and awarding what it earns is one transaction: a crash between the two can
  // neither lose earned points nor pay twice (awards are idempotent by key besides).
  const { credited, earned } = await withTransaction(deps, async (tx, emit) => {
    const seconds = await creditTime(tx, principal.userId, material.id, visible, now, day)
    const awards = seconds > 0 ? await awardStudy(tx, principal, material, now, day) : []
    const earned = awards.filter((a) => !a.duplicate && a.points > 0)
    if (earned.length) emit('points:changed', principal.userId)
    return { credited: seconds, earned }
  })
  return { creditedSeconds: credited, awards: earned.map((a) => ({ rule: a.rule, points: a.points })) }
}

/** Seconds of this beat that count: the gap since the person's last credited beat, when short. */
async function creditTime(tx: Tx, userId: number, materialId: number, visible: boolean, now: Date, day: string): Promise<number> {
  await tx
    .insertInto('study_clock')
    .values({ user_id: userId, last_counted_at: now })
    .onConflict((oc) => oc.doNothing())
    .execute()
  const clock = await tx
    .selectFrom('study_clock')
    .select('last_counted_at')
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirstOrThrow()
  const gap = Math.floor((now.getTime() - new Date(clock.last_counted_at).getTime()) / 1000)
  const seconds = visible && gap > 0 && gap <= MAX_GAP_SECONDS ? gap : 0
  if (gap > 0) await tx.updateTable('study_clock').set({ last_counted_at: now }).where('user_id', '=', userId).execute()
  if (seconds > 0) {
    await tx
      .insertInto('study_time')
      .values({ user_id: userId, material_id: materialId, day, seconds })
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'material_id', 'day'])
          .doUpdateSet((eb) => ({ seconds: eb('study_time.seconds', '+', eb.ref('excluded.seconds')) })),
      )
      .execute()
  }
  return seconds
}

/** 文章选读 / 视听学习 once per material after 30 verified seconds, and the time rules per full unit. */
async function awardStudy(
  tx: Tx,
  principal: Principal,
  material: { id: number; kind: 'article' | 'video' },
  now: Date,
  day: string,
): Promise<AwardResult[]> {
  const awards: AwardResult[] = []
  const { rows } = await sql<{ on_material: number; on_kind: number }>`
    select coalesce(sum(st.seconds) filter (where st.material_id = ${material.id}), 0)::int as on_material,
           coalesce(sum(st.seconds), 0)::int as on_kind
    from study_time st join materials m on m.id = st.material_id
    where st.user_id = ${principal.userId} and st.day = ${day}::date and m.kind = ${material.kind}`.execute(tx)
  const { on_material, on_kind } = rows[0]
  const base = { userId: principal.userId, orgId: principal.orgId, at: now }
  if (on_material >= STUDIED_AFTER_SECONDS) {
    // Each article or video counts once, ever (学习强国 does the same).
    awards.push(
      await award(tx, { ...base, rule: material.kind, idemKey: `${material.kind}:${material.id}`, detail: { materialId: material.id } }),
    )
  }
  const timeRule = material.kind === 'article' ? 'article_time' : 'video_time'
  const rule = await ruleOn(tx, timeRule, day)
  if (rule?.unit_seconds) {
    const units = Math.floor(on_kind / rule.unit_seconds)
    const done = await tx
      .selectFrom('point_ledger')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('user_id', '=', principal.userId)
      .where('rule_code', '=', timeRule)
      .where('day', '=', day)
      .executeTakeFirstOrThrow()
    for (let n = done.n + 1; n <= units; n++) awards.push(await award(tx, { ...base, rule: timeRule, idemKey: `${timeRule}:${day}:${n}` }))
  }
  return awards
}
