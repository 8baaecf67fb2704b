// The notices the organisation's own work calls for, sent by a job every node may run: each
// (exam, kind) is fanned out by the one transaction that claims it (notification_fanouts), and each
// person gets each cause once (unique per person and cause), so two nodes never send one twice.
//
//   exam_published   when an exam exists for you (open or upcoming)
//   exam_opening     30 minutes before it opens (unless it was published less than 30 minutes before)
//   exam_closing     30 minutes before it closes, to those invited who have not started
//   results_released when an exam whose results wait for the close has closed, to those who took it
import type { Deps } from '../../lib/deps.js'
import { dayjs, ZONE } from '../../lib/time.js'
import { withTransaction } from '../../lib/transaction.js'
import { examsForNotices, invitedPeople, orgPaths, takersOf, type ExamRow } from '../exams/index.js'
import { claimFanout } from './queries.js'
import { notify, type NewNotification } from './service.js'

const LEAD_MS = 30 * 60_000
/**
 * "12月6日 13:18"; with the year when the moment falls in another Shanghai year than the notice is
 * sent in — an exam open for a year, closing "12月6日", read as closing today.
 */
const when = (d: Date | string, now: Date) => {
  const at = dayjs(d).tz(ZONE)
  return at.format(at.year() === dayjs(now).tz(ZONE).year() ? 'M月D日 HH:mm' : 'YYYY年M月D日 HH:mm')
}

interface Notice {
  notice: NewNotification
  recipients: (exam: ExamRow, invited: number[]) => Promise<number[]>
}

function dueNotices(exam: ExamRow, now: Date, deps: Pick<Deps, 'db'>): Notice[] {
  const opens = new Date(exam.opens_at).getTime()
  const closes = new Date(exam.closes_at).getTime()
  const created = new Date(exam.created_at).getTime()
  const t = now.getTime()
  const link = `/exams/${exam.id}`
  const everyone = async (_e: ExamRow, invited: number[]) => invited
  const due: Notice[] = []
  if (t < closes) {
    due.push({
      recipients: everyone,
      notice: {
        kind: 'exam_published',
        cause: `exam:${exam.id}:published`,
        link,
        title: `新考试：${exam.title}`,
        body: `${when(exam.opens_at, now)} 开始，${when(exam.closes_at, now)} 截止，限时 ${exam.duration_minutes} 分钟。`,
      },
    })
  }
  if (t < opens && opens - t <= LEAD_MS && opens - created > LEAD_MS) {
    due.push({
      recipients: everyone,
      notice: {
        kind: 'exam_opening',
        cause: `exam:${exam.id}:opening`,
        link,
        title: `考试即将开始：${exam.title}`,
        body: `将于 ${when(exam.opens_at, now)} 开始。请提前确认网络通畅、手机电量充足。`,
      },
    })
  }
  if (t >= opens && t < closes && closes - t <= LEAD_MS) {
    due.push({
      recipients: async (e, invited) => {
        const { started } = await takersOf(deps.db, e.id)
        return invited.filter((id) => !started.has(id))
      },
      notice: {
        kind: 'exam_closing',
        cause: `exam:${exam.id}:closing`,
        link,
        title: `考试即将截止：${exam.title}`,
        body: `将于 ${when(exam.closes_at, now)} 截止，您还没有开始作答。`,
      },
    })
  }
  if (exam.release_results === 'after_close' && t >= closes) {
    due.push({
      recipients: async (e) => [...(await takersOf(deps.db, e.id)).submitted],
      notice: {
        kind: 'results_released',
        cause: `exam:${exam.id}:results`,
        link,
        title: `成绩已公布：${exam.title}`,
        body: '点开可查看您的成绩、答案与解析。',
      },
    })
  }
  return due
}

/** One pass: sends every notice now due. Returns how many notifications went out. */
export async function runNotificationJob(deps: Deps): Promise<number> {
  const now = deps.clock.now()
  let sent = 0
  for (const exam of await examsForNotices(deps.db, now)) {
    const due = dueNotices(exam, now, deps)
    if (!due.length) continue
    const claimedAlready = await deps.db
      .selectFrom('notification_fanouts')
      .select('cause')
      .where(
        'cause',
        'in',
        due.map((d) => d.notice.cause),
      )
      .execute()
    const pending = due.filter((d) => !claimedAlready.some((c) => c.cause === d.notice.cause))
    if (!pending.length) continue
    const audience = [...(await orgPaths(deps.db, exam.audience_org_ids as number[])).values()]
    const invited = (await invitedPeople(deps.db, audience, '/')).map((p) => p.user_id)
    for (const { notice, recipients } of pending) {
      const people = await recipients(exam, invited)
      sent += await withTransaction(deps, async (tx, emit) => {
        if (!(await claimFanout(tx, notice.cause, people.length, now))) return 0
        return notify(tx, emit, people, notice, now)
      })
    }
  }
  return sent
}

/** Runs the job now and every `everyMs`; returns the function that stops it. */
export function startNotificationJob(deps: Deps, everyMs = 30_000): () => void {
  let running = false
  const tick = async () => {
    if (running) return
    running = true
    try {
      const sent = await runNotificationJob(deps)
      if (sent) deps.log.info({ sent }, 'notifications sent')
    } catch (err) {
      deps.log.warn({ err }, 'notification job failed; will retry')
    } finally {
      running = false
    }
  }
  const timer = setInterval(tick, everyMs)
  timer.unref()
  void tick()
  return () => clearInterval(timer)
}
