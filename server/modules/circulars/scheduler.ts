// The job every node may run: weekly and monthly 通报 when due, overdue tasks, contests opening.
// It reads time only from deps.clock, so tests drive it with a ManualClock; claims and unique keys
// make two nodes running it at once send everything once.
import type { Deps } from '../../lib/deps.js'
import { sendContestNotices, sendTaskOverdueNotices } from './notices.js'
import { runScheduledCirculars } from './service.js'

export interface JobResult {
  circulars: number
  notices: number
}

/** One pass of everything due now. */
export async function runCircularJob(deps: Deps): Promise<JobResult> {
  const circulars = await runScheduledCirculars(deps)
  const notices = (await sendTaskOverdueNotices(deps)) + (await sendContestNotices(deps))
  return { circulars, notices }
}

/** Runs the job now and every `everyMs`; returns the function that stops it. */
export function startCircularJob(deps: Deps, everyMs = 30_000): () => void {
  let running = false
  const tick = async () => {
    if (running) return
    running = true
    try {
      const sent = await runCircularJob(deps)
      if (sent.circulars || sent.notices) deps.log.info(sent, '通报 and organised-work notices sent')
    } catch (err) {
      deps.log.warn({ err }, 'circular job failed; will retry')
    } finally {
      running = false
    }
  }
  const timer = setInterval(tick, everyMs)
  timer.unref()
  void tick()
  return () => clearInterval(timer)
}
