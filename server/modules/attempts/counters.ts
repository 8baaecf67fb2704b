// Incremental exam figures. Every change of a person's state in an exam (first start, a
// submission, a reopened attempt) adjusts their `exam_people` row and their org's counters in the
// same transaction, so live pushes read counters instead of scanning attempts.
import { sql, type RawBuilder, type Transaction } from 'kysely'
import type { Database } from '../../db/types.js'

type Tx = Transaction<Database>

/**
 * Adds `rows` — (exam_id, org_id, started, submitted, score_sum), a VALUES list or a SELECT — to
 * their units' counters. The one way the counters change: from one person's change below, or as a
 * step of the single statements that start and close an attempt on the exam-day hot path.
 */
export function addToOrgCounts(rows: RawBuilder<unknown>) {
  return sql`
    insert into exam_org_counts (exam_id, org_id, started, submitted, score_sum) ${rows}
    on conflict (exam_id, org_id) do update set
      started = exam_org_counts.started + excluded.started,
      submitted = exam_org_counts.submitted + excluded.submitted,
      score_sum = exam_org_counts.score_sum + excluded.score_sum`
}

async function bump(tx: Tx, examId: number, orgId: number, d: { started?: number; submitted?: number; scoreSum?: number }) {
  await addToOrgCounts(sql`values (${examId}, ${orgId}, ${d.started ?? 0}, ${d.submitted ?? 0}, ${d.scoreSum ?? 0})`).execute(tx)
}

/** A person's first attempt at an exam: they have started. */
export async function countStart(tx: Tx, examId: number, userId: number, orgId: number) {
  const inserted = await tx
    .insertInto('exam_people')
    .values({ exam_id: examId, user_id: userId, org_id: orgId })
    .onConflict((oc) => oc.columns(['exam_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst()
  if (inserted) await bump(tx, examId, orgId, { started: 1 })
}

async function person(tx: Tx, examId: number, userId: number) {
  return tx.selectFrom('exam_people').selectAll().where('exam_id', '=', examId).where('user_id', '=', userId).forUpdate().executeTakeFirst()
}

/** A submitted attempt: the person counts as submitted, and their best score may rise. */
export async function countSubmission(tx: Tx, examId: number, userId: number, orgId: number, score: number, seconds: number) {
  let p = await person(tx, examId, userId)
  if (!p) {
    await countStart(tx, examId, userId, orgId)
    p = (await person(tx, examId, userId))!
  }
  const oldBest = p.submitted ? Number(p.best) : null
  const better = oldBest === null || score > oldBest || (score === oldBest && seconds < (p.best_seconds ?? Infinity))
  if (!better) return
  await tx
    .updateTable('exam_people')
    .set({ submitted: true, best: score, best_seconds: seconds })
    .where('exam_id', '=', examId)
    .where('user_id', '=', userId)
    .execute()
  await bump(tx, examId, p.org_id, { submitted: oldBest === null ? 1 : 0, scoreSum: score - (oldBest ?? 0) })
}

/** An attempt taken back from submitted: the person's best is whatever else they handed in. */
export async function countReopen(tx: Tx, examId: number, userId: number, reopenedAttemptId: number) {
  const p = await person(tx, examId, userId)
  if (!p?.submitted) return
  const others = await tx
    .selectFrom('attempts')
    .select(['score', sql<number>`extract(epoch from (submitted_at - started_at))::int`.as('seconds')])
    .where('exam_id', '=', examId)
    .where('user_id', '=', userId)
    .where('status', '=', 'submitted')
    .where('id', '!=', reopenedAttemptId)
    .orderBy('score', 'desc')
    .orderBy(sql`submitted_at - started_at`)
    .limit(1)
    .executeTakeFirst()
  const oldBest = Number(p.best)
  await tx
    .updateTable('exam_people')
    .set({ submitted: !!others, best: others ? Number(others.score) : null, best_seconds: others?.seconds ?? null })
    .where('exam_id', '=', examId)
    .where('user_id', '=', userId)
    .execute()
  await bump(tx, examId, p.org_id, { submitted: others ? 0 : -1, scoreSum: (others ? Number(others.score) : 0) - oldBest })
}
