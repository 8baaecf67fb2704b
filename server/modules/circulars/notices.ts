// Notices of organised work sent by the schedule: a task list item past its due date and not done
// (once per task and org, to whoever handles it there), and a live contest that has just opened its
// lobby (once, to the members of its org's subtree). Each cause is claimed by the one transaction
// that fans it out (notification_fanouts), and each person gets it once, so two nodes never send
// one twice. Nothing here ever asks anyone to log in or study more.
import type { Deps } from '../../lib/deps.js'
import { dayjs, ZONE } from '../../lib/time.js'
import { withTransaction } from '../../lib/transaction.js'
import { taskHandlers } from '../campaign/index.js'
import { claimFanout, notify, type NewNotification } from '../notifications/index.js'
import * as q from './queries.js'

/** Overdue items older than this are left alone (a first start must not flood anyone with old ones). */
const TASK_LOOKBACK_MS = 7 * 86_400_000
/** A contest lobby is announced while it is at most this old and not finished. */
const CONTEST_WINDOW_MS = 2 * 3_600_000

const hhmm = (d: Date | string) => dayjs(d).tz(ZONE).format('M月D日 HH:mm')

async function fanOut(deps: Deps, cause: string, people: number[], notice: NewNotification, now: Date): Promise<number> {
  return withTransaction(deps, async (tx, emit) => {
    if (!(await claimFanout(tx, cause, people.length, now))) return 0
    return notify(tx, emit, people, notice, now)
  })
}

export async function sendTaskOverdueNotices(deps: Deps): Promise<number> {
  const now = deps.clock.now()
  const overdue = await q.overdueTaskOrgs(deps.db, now, new Date(now.getTime() - TASK_LOOKBACK_MS))
  const causeOf = (t: (typeof overdue)[number]) => `task:${t.task_id}:org:${t.org_id}:overdue`
  const claimed = await q.claimedCauses(deps.db, overdue.map(causeOf))
  let sent = 0
  for (const t of overdue) {
    const cause = causeOf(t)
    if (claimed.has(cause)) continue
    const people = await taskHandlers(deps.db, t.org_path)
    sent += await fanOut(
      deps,
      cause,
      people,
      {
        kind: 'task_overdue',
        cause,
        link: '/console/campaign',
        title: `任务逾期：${t.title}`,
        body: `${t.org_name}的这项任务已过截止时间（${hhmm(t.due_at)}），尚未办结。`,
      },
      now,
    )
  }
  return sent
}

export async function sendContestNotices(deps: Deps): Promise<number> {
  const now = deps.clock.now()
  const contests = await q.contestsStarting(deps.db, new Date(now.getTime() - CONTEST_WINDOW_MS))
  const causeOf = (c: (typeof contests)[number]) => `contest:${c.id}:starting`
  const claimed = await q.claimedCauses(deps.db, contests.map(causeOf))
  let sent = 0
  for (const c of contests) {
    const cause = causeOf(c)
    if (claimed.has(cause)) continue
    const people = (await q.activePeopleIds(deps.db, c.org_path)).filter((id) => id !== c.created_by)
    sent += await fanOut(
      deps,
      cause,
      people,
      {
        kind: 'contest_starting',
        cause,
        link: `/contest?pin=${c.pin}`,
        title: `现场竞答即将开始：${c.title}`,
        body: `${c.org_name}的现场竞答已开放加入，竞答码 ${c.pin}。`,
      },
      now,
    )
  }
  return sent
}
