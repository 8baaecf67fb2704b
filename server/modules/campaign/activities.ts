// Activities of the campaign (宣讲, 主题党日, 集中研讨 …): recorded by staff for an org of their
// subtree, or by another module (a finished live contest) through `recordActivity` in its own
// transaction. Participants come from the roster; guests without accounts are a count.
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { forbidden, notFound, unprocessable } from '../../lib/errors.js'
import { orgInScope, scopePrefix, type Principal } from '../../lib/scope.js'
import { withTransaction, type Tx } from '../../lib/transaction.js'
import type { ActivityBody, ActivityCreate, ActivityQuery, ActivityType, ActivityUpdate } from './schemas.js'
import * as q from './queries.js'
import { parsePeriod } from './period.js'

export interface RecordActivityInput {
  orgId: number
  type: ActivityType
  title: string
  startsAt: Date
  endsAt?: Date | null
  createdBy: number
  participantIds?: number[]
  guests?: number
  summary?: string | null
  place?: string | null
  speaker?: string | null
}

/**
 * Records an activity inside the caller's transaction (no scope check: the caller has made it).
 * Participant ids that name no user are skipped; each person counts once.
 */
export async function recordActivity(tx: Tx, input: RecordActivityInput): Promise<{ id: number }> {
  const row = await tx
    .insertInto('activities')
    .values({
      org_id: input.orgId,
      type: input.type,
      title: input.title,
      starts_at: input.startsAt,
      ends_at: input.endsAt ?? null,
      place: input.place ?? null,
      speaker: input.speaker ?? null,
      summary: input.summary ?? null,
      guests: Math.max(0, Math.floor(input.guests ?? 0)),
      created_by: input.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const ids = [...new Set(input.participantIds ?? [])]
  if (ids.length) await q.addParticipants(tx, row.id, await q.usersWithPaths(tx, ids), input.createdBy)
  return { id: row.id }
}

type ActivityRow = NonNullable<Awaited<ReturnType<typeof q.findActivity>>>

/** The activity if the caller may manage it: unknown → 404, another subtree → 403. */
export async function activityInScope(db: q.Db, principal: Principal, id: number): Promise<ActivityRow> {
  const activity = await q.findActivity(db, id)
  if (!activity) throw notFound('活动')
  if (!orgInScope(principal, activity.org_path)) throw forbidden('只能管理本组织及下级组织的活动')
  return activity
}

async function orgInScopeOrThrow(db: q.Db, principal: Principal, orgId: number) {
  const org = await q.findOrgRow(db, orgId)
  if (!org) throw unprocessable('组织不存在', [{ field: 'orgId', message: '组织不存在' }])
  if (!orgInScope(principal, org.path)) throw forbidden('只能为本组织及下级组织登记活动')
  return org
}

/** Participants must be people the caller manages: anyone else → 403; unknown ids → 422. */
async function rosterInScope(db: q.Db, principal: Principal, userIds: number[]) {
  const ids = [...new Set(userIds)]
  const users = await q.usersWithPaths(db, ids)
  if (users.length !== ids.length) {
    const known = new Set(users.map((u) => u.id))
    throw unprocessable(
      '参加人员不存在',
      ids.filter((id) => !known.has(id)).map((id) => ({ field: 'userIds', message: `用户 ${id} 不存在` })),
    )
  }
  if (users.some((u) => !orgInScope(principal, u.path))) throw forbidden('只能登记本组织及下级组织的人员')
  return users
}

function checkWindow(startsAt: Date, endsAt: Date | null | undefined) {
  if (endsAt && endsAt.getTime() < startsAt.getTime())
    throw unprocessable('结束时间不能早于开始时间', [{ field: 'endsAt', message: '不能早于开始时间' }])
}

export async function createActivity(deps: Deps, principal: Principal, body: ActivityCreate) {
  return withTransaction(deps, async (tx) => {
    await orgInScopeOrThrow(tx, principal, body.orgId)
    const startsAt = new Date(body.startsAt)
    const endsAt = body.endsAt ? new Date(body.endsAt) : null
    checkWindow(startsAt, endsAt)
    if (body.participantIds?.length) await rosterInScope(tx, principal, body.participantIds)
    const { id } = await recordActivity(tx, {
      orgId: body.orgId,
      type: body.type,
      title: body.title.trim(),
      startsAt,
      endsAt,
      createdBy: principal.userId,
      participantIds: body.participantIds,
      guests: body.guests,
      summary: body.summary,
      place: body.place,
      speaker: body.speaker,
    })
    await audit(tx, principal.userId, 'activity.create', 'activity', id, { orgId: body.orgId, type: body.type })
    return toBody((await q.findActivity(tx, id))!)
  })
}

export async function updateActivity(deps: Deps, principal: Principal, id: number, patch: ActivityUpdate) {
  return withTransaction(deps, async (tx) => {
    const current = await activityInScope(tx, principal, id)
    const startsAt = patch.startsAt ? new Date(patch.startsAt) : current.starts_at
    const endsAt = patch.endsAt !== undefined ? (patch.endsAt ? new Date(patch.endsAt) : null) : current.ends_at
    checkWindow(startsAt, endsAt)
    await tx
      .updateTable('activities')
      .set({
        ...(patch.type && { type: patch.type }),
        ...(patch.title && { title: patch.title.trim() }),
        starts_at: startsAt,
        ends_at: endsAt,
        ...(patch.place !== undefined && { place: patch.place }),
        ...(patch.speaker !== undefined && { speaker: patch.speaker }),
        ...(patch.summary !== undefined && { summary: patch.summary }),
        ...(patch.guests !== undefined && { guests: patch.guests }),
        updated_at: deps.clock.now(),
      })
      .where('id', '=', id)
      .execute()
    await audit(tx, principal.userId, 'activity.update', 'activity', id, patch)
    return toBody((await q.findActivity(tx, id))!)
  })
}

/** Deletes an activity with its rows; answers its stored files (photos, attachments) for the caller to remove after commit. */
export async function deleteActivity(deps: Deps, principal: Principal, id: number) {
  return withTransaction(deps, async (tx) => {
    const current = await activityInScope(tx, principal, id)
    const files = await tx.selectFrom('activity_files').select(['kind', 'stored_name']).where('activity_id', '=', id).execute()
    await tx.deleteFrom('activities').where('id', '=', id).execute()
    await audit(tx, principal.userId, 'activity.delete', 'activity', id, { orgId: current.org_id, title: current.title })
    return files
  })
}

export async function addActivityParticipants(deps: Deps, principal: Principal, id: number, userIds: number[]) {
  return withTransaction(deps, async (tx) => {
    await activityInScope(tx, principal, id)
    const users = await rosterInScope(tx, principal, userIds)
    await q.addParticipants(tx, id, users, principal.userId)
    await audit(tx, principal.userId, 'activity.participants', 'activity', id, { added: users.length })
    return { attendance: await q.attendanceOf(tx, id) }
  })
}

export async function removeActivityParticipant(deps: Deps, principal: Principal, id: number, userId: number) {
  return withTransaction(deps, async (tx) => {
    await activityInScope(tx, principal, id)
    await tx.deleteFrom('activity_participants').where('activity_id', '=', id).where('user_id', '=', userId).execute()
    await audit(tx, principal.userId, 'activity.participant.remove', 'activity', id, { userId })
    return { attendance: await q.attendanceOf(tx, id) }
  })
}

export async function activityParticipants(deps: Deps, principal: Principal, id: number) {
  await activityInScope(deps.db, principal, id)
  return (await q.listParticipants(deps.db, id)).map((p) => ({
    userId: p.user_id,
    name: p.name,
    orgName: p.org_name,
    checkedInAt: p.checked_in_at ? new Date(p.checked_in_at).toISOString() : null,
    late: p.late,
  }))
}

export async function getActivity(deps: Deps, principal: Principal, id: number) {
  const activity = await activityInScope(deps.db, principal, id)
  return toBody(activity)
}

export async function listActivities(deps: Deps, principal: Principal, query: ActivityQuery) {
  let orgPath: string | undefined
  if (query.orgId !== undefined) {
    const org = await q.findOrgRow(deps.db, query.orgId)
    if (!org) throw notFound('组织')
    if (!orgInScope(principal, org.path)) throw forbidden('只能查看本组织及下级组织的活动')
    orgPath = org.path
  }
  const period = parsePeriod(query.from, query.to)
  const { total, items } = await q.listActivities(
    deps.db,
    { pathPrefix: scopePrefix(principal), orgPath, type: query.type, ...period },
    query.page ?? 1,
    query.pageSize ?? 50,
  )
  return { total, items: items.map(toBody) }
}

function toBody(a: Omit<ActivityRow, 'org_path'>): ActivityBody {
  return {
    id: a.id,
    orgId: a.org_id,
    orgName: a.org_name,
    type: a.type,
    title: a.title,
    startsAt: new Date(a.starts_at).toISOString(),
    endsAt: a.ends_at ? new Date(a.ends_at).toISOString() : null,
    place: a.place,
    speaker: a.speaker,
    summary: a.summary,
    guests: a.guests,
    participants: a.participants,
    checkedIn: a.checked_in,
    attendance: a.guests + a.participants,
  }
}
