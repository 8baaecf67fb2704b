// 任务清单: admins send an item (optionally broken down by week) to a set of orgs with a due date;
// each org's secretary marks it done with a note and a linked activity. Status is computed from
// the server's clock: not done and past due is overdue.
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { forbidden, notFound, unprocessable } from '../../lib/errors.js'
import { orgInScope, type Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import { dayjs, ZONE } from '../../lib/time.js'
import { notify } from '../notifications/index.js'
import type { Db } from './queries.js'
import type { TaskBody, TaskCreate, TaskDone } from './schemas.js'
import { resolveOrg } from './tally.js'

export type TaskStatus = 'open' | 'done' | 'overdue'

export function taskStatus(doneAt: Date | null, dueAt: Date, now: Date): TaskStatus {
  if (doneAt) return 'done'
  return now.getTime() > new Date(dueAt).getTime() ? 'overdue' : 'open'
}

/**
 * Who handles a task sent to the org at `orgPath`: its own secretaries, or — when it has none — the
 * secretaries of the nearest org above it that has some (they may mark it done for it).
 */
export async function taskHandlers(db: Db, orgPath: string): Promise<number[]> {
  const ancestors = orgPath
    .split('/')
    .filter(Boolean)
    .map((_, i, ids) => `/${ids.slice(0, i + 1).join('/')}/`)
  const rows = await db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'orgs.path'])
    .where('users.active', '=', true)
    .where('users.role', '=', 'secretary')
    .where('orgs.path', 'in', ancestors)
    .execute()
  const nearest = Math.max(0, ...rows.map((r) => r.path.length))
  return rows.filter((r) => r.path.length === nearest).map((r) => r.id)
}

export async function createTask(deps: Deps, principal: Principal, body: TaskCreate) {
  const orgIds = [...new Set(body.orgIds)]
  return withTransaction(deps, async (tx, emit) => {
    const known = await tx.selectFrom('orgs').select(['id', 'path']).where('id', 'in', orgIds).execute()
    if (known.length !== orgIds.length) {
      const ids = new Set(known.map((o) => o.id))
      throw unprocessable(
        '下发单位不存在',
        orgIds.filter((id) => !ids.has(id)).map((id) => ({ field: 'orgIds', message: `组织 ${id} 不存在` })),
      )
    }
    const task = await tx
      .insertInto('campaign_tasks')
      .values({
        title: body.title.trim(),
        detail: body.detail ?? null,
        due_at: new Date(body.dueAt),
        weeks: JSON.stringify(body.weeks ?? []),
        created_by: principal.userId,
        created_at: deps.clock.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await tx
      .insertInto('campaign_task_orgs')
      .values(orgIds.map((org_id) => ({ task_id: task.id, org_id })))
      .execute()
    await audit(tx, principal.userId, 'task.create', 'campaign_task', task.id, { orgIds })
    // 任务清单已下发: whoever handles each target org hears of it once, however many of its orgs she handles.
    const handlers = new Set<number>()
    for (const org of known) for (const id of await taskHandlers(tx, org.path)) handlers.add(id)
    const due = dayjs(body.dueAt).tz(ZONE).format('M月D日 HH:mm')
    await notify(
      tx,
      emit,
      [...handlers].filter((id) => id !== principal.userId),
      {
        kind: 'task_issued',
        cause: `task:${task.id}:issued`,
        link: '/console/campaign',
        title: `新任务：${body.title.trim()}`,
        body: `请于 ${due} 前办结${body.detail ? `。${body.detail.slice(0, 80)}` : '。'}`,
      },
      deps.clock.now(),
    )
    return { id: task.id }
  })
}

/** Task items sent to orgs of a subtree, each listing only the orgs of that subtree. */
export async function tasksOfSubtree(db: Db, path: string, now: Date, period: { from?: Date; to?: Date } = {}): Promise<TaskBody[]> {
  let query = db
    .selectFrom('campaign_task_orgs as to')
    .innerJoin('campaign_tasks as t', 't.id', 'to.task_id')
    .innerJoin('orgs as o', 'o.id', 'to.org_id')
    .select(['t.id', 't.title', 't.detail', 't.due_at', 't.weeks', 'to.org_id', 'o.name', 'to.done_at', 'to.note', 'to.activity_id'])
    .where('o.path', 'like', `${path}%`)
  if (period.from) query = query.where('t.due_at', '>=', period.from)
  if (period.to) query = query.where('t.due_at', '<', period.to)
  const rows = await query.orderBy('t.due_at').orderBy('t.id').orderBy('o.path').execute()
  const tasks = new Map<number, TaskBody>()
  for (const r of rows) {
    let task = tasks.get(r.id)
    if (!task) {
      task = { id: r.id, title: r.title, detail: r.detail, dueAt: new Date(r.due_at).toISOString(), weeks: r.weeks, orgs: [] }
      tasks.set(r.id, task)
    }
    task.orgs.push({
      orgId: r.org_id,
      name: r.name,
      status: taskStatus(r.done_at, r.due_at, now),
      ...(r.done_at && { doneAt: new Date(r.done_at).toISOString() }),
      ...(r.note && { note: r.note }),
      ...(r.activity_id && { activityId: r.activity_id }),
    })
  }
  return [...tasks.values()]
}

export async function listTasks(deps: Deps, principal: Principal, orgId?: number) {
  const org = await resolveOrg(deps.db, principal, orgId)
  return tasksOfSubtree(deps.db, org.path, deps.clock.now())
}

export async function markTaskDone(deps: Deps, principal: Principal, taskId: number, body: TaskDone) {
  return withTransaction(deps, async (tx) => {
    const task = await tx.selectFrom('campaign_tasks').select(['id', 'due_at']).where('id', '=', taskId).executeTakeFirst()
    if (!task) throw notFound('任务')
    const row = await tx
      .selectFrom('campaign_task_orgs as to')
      .innerJoin('orgs as o', 'o.id', 'to.org_id')
      .select(['o.path', 'to.done_at'])
      .where('to.task_id', '=', taskId)
      .where('to.org_id', '=', body.orgId)
      .executeTakeFirst()
    if (!row) throw notFound('该单位的任务')
    if (!orgInScope(principal, row.path)) throw forbidden('只能办结本组织及下级组织的任务')
    if (body.activityId) {
      const activity = await tx
        .selectFrom('activities as a')
        .innerJoin('orgs as o', 'o.id', 'a.org_id')
        .select('o.path')
        .where('a.id', '=', body.activityId)
        .executeTakeFirst()
      if (!activity) throw unprocessable('关联的活动不存在', [{ field: 'activityId', message: '活动不存在' }])
      if (!orgInScope(principal, activity.path)) throw forbidden('只能关联本组织及下级组织的活动')
    }
    const now = deps.clock.now()
    // Marking again keeps the first completion time and updates the note and link.
    await tx
      .updateTable('campaign_task_orgs')
      .set({
        done_at: row.done_at ?? now,
        done_by: principal.userId,
        ...(body.note !== undefined && { note: body.note }),
        ...(body.activityId !== undefined && { activity_id: body.activityId }),
      })
      .where('task_id', '=', taskId)
      .where('org_id', '=', body.orgId)
      .execute()
    await audit(tx, principal.userId, 'task.done', 'campaign_task', taskId, { orgId: body.orgId, activityId: body.activityId ?? null })
    return { id: taskId, orgId: body.orgId, status: 'done' as const, doneAt: new Date(row.done_at ?? now).toISOString() }
  })
}
