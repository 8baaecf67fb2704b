// Contests: creating one (staff, for an org of their subtree), reading its standing, recording a
// finished one — its ranks, and an activity of type `contest` in the campaign ledger with every
// player as a participant — and cancelling one that has not ended.
import { randomInt } from 'node:crypto'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { conflict, forbidden, notFound, unprocessable, validationError } from '../../lib/errors.js'
import { orgInScope, type Principal } from '../../lib/scope.js'
import { shanghaiDate, isoTime, isoTimeOrNull } from '../../lib/time.js'
import { withTransaction } from '../../lib/transaction.js'
import { findOrg } from '../orgs/index.js'
import { drawQuestionIds, publishedAmong } from '../battles/index.js'
import { recordActivity } from '../campaign/index.js'
import type { ContestCreateBody } from './schemas.js'
import { cannotCancel, onOpenExam } from './errors.js'
import * as q from './queries.js'

/**
 * The questions that someone of the org's subtree could meet on an exam still open (the exams
 * module reads them once for the subtree): the contest shows every key on the hall's screen, so
 * none of them may be asked.
 */
export type LockedInSubtree = (orgPath: string) => Promise<Set<number>>

const TAPPABLE = new Set(['single', 'multiple', 'judge'])

export async function createContest(deps: Deps, lockedIn: LockedInSubtree, principal: Principal, body: ContestCreateBody) {
  const org = await findOrg(deps.db, body.orgId)
  if (!org) throw notFound('组织')
  if (!orgInScope(principal, org.path)) throw forbidden('只能为本组织及下级组织创建竞答')
  const today = shanghaiDate(deps.clock.now())
  const locked = await lockedIn(org.path)
  let ids = body.questionIds
  if (new Set(ids).size !== ids.length) throw validationError('questionIds：题目重复', [{ field: 'questionIds', message: '题目重复' }])
  if (!ids.length) {
    if (!body.draw)
      throw validationError('questionIds：请选择题目，或给出 draw 从题库抽题', [{ field: 'questionIds', message: '至少需要一道题' }])
    ids = await drawQuestionIds(deps.db, today, locked, body.draw.count, body.draw.category)
    if (ids.length < body.draw.count)
      throw unprocessable(`题库中可用的题目只有 ${ids.length} 道，少于所需的 ${body.draw.count} 道`, [
        { field: 'draw.count', message: '可用题目不足' },
      ])
  } else {
    const published = await publishedAmong(deps.db, ids, today)
    const missing = ids.filter((id) => !published.has(id))
    if (missing.length)
      throw unprocessable(`题目不存在或未发布：${missing.join('、')}`, [
        { field: 'questionIds', message: `题目不存在或未发布：${missing.join('、')}` },
      ])
    const untappable = (await q.questionTypes(deps.db, ids)).filter((r) => !TAPPABLE.has(r.type)).map((r) => r.id)
    if (untappable.length)
      throw unprocessable(`现场竞答只支持单选、多选和判断题：${untappable.join('、')}`, [{ field: 'questionIds', message: '含填空题' }])
    const onExam = ids.filter((id) => locked.has(id))
    if (onExam.length) throw onOpenExam(onExam)
  }
  return withTransaction(deps, async (tx) => {
    // A PIN names one unfinished contest; on the rare clash, draw again.
    for (let tries = 0; tries < 8; tries++) {
      const pin = String(randomInt(100000, 1000000))
      const clash = await tx.selectFrom('contests').select('id').where('pin', '=', pin).where('status', 'in', q.OPEN).executeTakeFirst()
      if (clash) continue
      const row = await tx
        .insertInto('contests')
        .values({
          title: body.title,
          org_id: org.id,
          pin,
          question_ids: JSON.stringify(ids),
          seconds_per_question: body.secondsPerQuestion,
          created_by: principal.userId,
          created_at: deps.clock.now(),
          activity_id: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await audit(tx, principal.userId, 'contest.create', 'contest', row.id, { orgId: org.id, questions: ids.length })
      return { id: row.id, pin }
    }
    throw conflict('暂时无法分配竞答码，请重试')
  })
}

/** The contest if the caller may host or read it: unknown → 404, another subtree → 403. */
export async function contestInScope(deps: Pick<Deps, 'db'>, principal: Principal, id: number): Promise<q.ContestRow> {
  const row = await q.findContest(deps.db, id)
  if (!row) throw notFound('竞答')
  if (!orgInScope(principal, row.org_path)) throw forbidden('不在本组织范围内')
  return row
}

export function toContestItem(r: Omit<q.ContestRow, 'org_path'> & { players: number }) {
  return {
    id: r.id,
    title: r.title,
    orgId: r.org_id,
    orgName: r.org_name,
    pin: r.pin,
    status: r.status,
    questionCount: (r.question_ids as number[]).length,
    skippedCount: r.skipped.length,
    secondsPerQuestion: r.seconds_per_question,
    players: r.players,
    createdAt: isoTime(r.created_at),
    startedAt: isoTimeOrNull(r.started_at),
    endedAt: isoTimeOrNull(r.ended_at),
    activityId: r.activity_id,
  }
}

export interface FinishedContest {
  id: number
  title: string
  orgId: number
  createdBy: number
  startedAt: Date
  /** Questions asked (skipped ones left out). */
  questionCount: number
  skippedCount: number
  players: { userId: number; score: number; correct: number; rank: number }[]
}

/**
 * Ranks, the finished state and the ledger activity, together. Finishing twice changes nothing, and
 * a contest cancelled meanwhile stays cancelled.
 */
export async function finishContest(deps: Deps, c: FinishedContest) {
  const now = deps.clock.now()
  return withTransaction(deps, async (tx) => {
    const row = await q.lockStatus(tx, c.id)
    if (row.status === 'finished' || row.status === 'cancelled') return { activityId: row.activity_id }
    await q.setPlayerFigures(tx, c.id, c.players)
    const activity = await recordActivity(tx, {
      orgId: c.orgId,
      type: 'contest',
      title: c.title,
      startsAt: c.startedAt,
      endsAt: now,
      createdBy: c.createdBy,
      participantIds: c.players.map((p) => p.userId),
      summary: `现场竞答：${c.questionCount} 题${c.skippedCount ? `（另有 ${c.skippedCount} 题因考试未结束跳过）` : ''}，${c.players.length} 人参加`,
    })
    await tx.updateTable('contests').set({ status: 'finished', ended_at: now, activity_id: activity.id }).where('id', '=', c.id).execute()
    return { activityId: activity.id }
  })
}

/**
 * The host (staff whose subtree holds the contest, as for hosting it) stops a contest that has not
 * ended — in the lobby (one that can never start: every question held by open exams) or mid-game.
 * Whoever presses, however often, one cancel happens: the row is locked, and a contest already
 * cancelled or finished is a 409 that says which. After the commit the games home stops the game
 * and tells the hall screens and the phones (`contest:cancelled`).
 *
 * The scores saved at the reveals so far are kept as they stand (results and export still show
 * who took part and how far it got), but no ranks are fixed and no ledger activity is recorded:
 * the contest was not held to its end, and a 主题党日 that counts can be entered in the ledger by hand.
 */
export async function cancelContest(deps: Deps, principal: Principal, id: number) {
  const row = await contestInScope(deps, principal, id)
  const now = deps.clock.now()
  await withTransaction(deps, async (tx, emit) => {
    const { status } = await q.lockStatus(tx, row.id)
    if (status === 'cancelled' || status === 'finished') throw cannotCancel(status)
    await tx.updateTable('contests').set({ status: 'cancelled', ended_at: now }).where('id', '=', row.id).execute()
    await audit(tx, principal.userId, 'contest.cancel', 'contest', row.id, { was: status })
    emit('contest:cancelled', row.id)
  })
  return toContestItem({ ...row, status: 'cancelled', ended_at: now, players: await q.playerCount(deps.db, row.id) })
}
