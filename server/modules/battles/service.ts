// Battle records: the battle row when it starts, and, when it ends, the ranks, every answer and
// the points — one transaction, so a battle's points exist exactly when its outcome does.
import type { Deps } from '../../lib/deps.js'
import { withTransaction } from '../../lib/transaction.js'
import { shanghaiDate } from '../../lib/time.js'
import { award } from '../points/index.js'
import type { BattleMode } from '../../realtime/events-map.js'
import { battleUnits, rankByScore } from './scoring.js'
import { gamesBefore, insertBattle } from './queries.js'

export const RULE_OF: Record<BattleMode, string> = { duel: 'battle_duel', four: 'battle_four' }

export async function startBattleRecord(
  deps: Deps,
  b: { mode: BattleMode; matchedIn: string; questionIds: number[]; day: string; at: Date; players: { userId: number; orgId: number }[] },
) {
  return insertBattle(deps.db, b)
}

export interface SeatOutcome {
  userId: number
  name: string
  orgId: number
  score: number
  correct: number
  forfeited: boolean
  answers: { idx: number; questionId: number; answer: unknown; correct: boolean; score: number; elapsedMs: number; tooFast: boolean }[]
}

/**
 * Ranks the players (those who forfeited rank after everyone who played on), stores the outcome,
 * and awards the day's battle points by the rules of record. Points are idempotent per person and
 * day's game number (`battle_duel:2026-11-30:g1`): a battle finished twice, or two games racing to
 * be the day's first, never earn twice.
 */
export async function finishBattle(deps: Deps, battle: { id: number; mode: BattleMode; seats: SeatOutcome[] }) {
  const now = deps.clock.now()
  const day = shanghaiDate(now)
  const stayed = rankByScore(battle.seats.filter((s) => !s.forfeited))
  const left = rankByScore(battle.seats.filter((s) => s.forfeited)).map((s) => ({ ...s, rank: stayed.length + s.rank }))
  const ranked = [...stayed, ...left]
  const points = new Map<number, number>()
  await withTransaction(deps, async (tx, emit) => {
    const games = await gamesBefore(
      tx,
      ranked.map((s) => s.userId),
      battle.mode,
      day,
      battle.id,
    )
    for (const s of ranked) {
      let earned = 0
      const game = (games.get(s.userId) ?? 0) + 1
      const units = s.forfeited ? 0 : battleUnits(battle.mode, game, s.rank)
      if (units > 0) {
        const result = await award(tx, {
          userId: s.userId,
          orgId: s.orgId,
          rule: RULE_OF[battle.mode],
          idemKey: `${RULE_OF[battle.mode]}:${day}:g${game}`,
          at: now,
          units,
          detail: { battleId: battle.id, rank: s.rank, game },
        })
        earned = result.duplicate ? 0 : result.points
        if (earned) emit('points:changed', s.userId)
      }
      points.set(s.userId, earned)
      await tx
        .updateTable('battle_players')
        .set({
          score: s.score,
          correct: s.correct,
          rank: s.rank,
          forfeited: s.forfeited,
          points: earned,
          flagged: s.answers.filter((a) => a.tooFast).length,
        })
        .where('battle_id', '=', battle.id)
        .where('user_id', '=', s.userId)
        .execute()
    }
    const answers = ranked.flatMap((s) =>
      s.answers.map((a) => ({
        battle_id: battle.id,
        user_id: s.userId,
        idx: a.idx,
        question_id: a.questionId,
        answer: JSON.stringify(a.answer ?? null),
        correct: a.correct,
        score: a.score,
        elapsed_ms: a.elapsedMs,
        too_fast: a.tooFast,
      })),
    )
    if (answers.length)
      await tx
        .insertInto('battle_answers')
        .values(answers)
        .onConflict((oc) => oc.doNothing())
        .execute()
    await tx.updateTable('battles').set({ status: 'finished', ended_at: now }).where('id', '=', battle.id).execute()
  })
  return {
    ranking: ranked.map((s) => ({ userId: s.userId, name: s.name, score: s.score, rank: s.rank, forfeited: s.forfeited })),
    points,
  }
}
