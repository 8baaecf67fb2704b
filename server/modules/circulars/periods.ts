// The periods a 通报 covers: a Shanghai calendar week (Monday to Sunday) or month, always one that
// has ended. The schedule sends the previous week's on Monday at 08:00 and the previous month's on
// the 1st at 08:00 (Asia/Shanghai); a node that was down then catches up within a few days.
import { addDays, dayjs, shanghaiDate, weekStart, ZONE } from '../../lib/time.js'

export type PeriodKind = 'week' | 'month'

export interface CircularPeriod {
  kind: PeriodKind
  /** First day, YYYY-MM-DD (Shanghai). */
  start: string
  /** The day after the last one, YYYY-MM-DD (exclusive). */
  end: string
  from: Date
  to: Date
  /** 2026年11月30日至12月6日, or 2026年11月. */
  label: string
}

const SEND_HOUR = 8
/** How long after its slot a missed scheduled run is still sent (a node down over the weekend). */
const CATCH_UP_DAYS: Record<PeriodKind, number> = { week: 3, month: 7 }

const midnight = (day: string) => dayjs.tz(day, ZONE)

export function periodOf(kind: PeriodKind, start: string): CircularPeriod {
  const end = kind === 'week' ? addDays(start, 7) : midnight(start).add(1, 'month').format('YYYY-MM-DD')
  const first = midnight(start)
  const last = midnight(addDays(end, -1))
  const label =
    kind === 'month'
      ? first.format('YYYY年M月')
      : `${first.format('YYYY年M月D日')}至${last.format(first.year() === last.year() ? 'M月D日' : 'YYYY年M月D日')}`
  return { kind, start, end, from: first.toDate(), to: midnight(end).toDate(), label }
}

/** The first day of the period of this kind that contains `at`. */
function currentStart(kind: PeriodKind, at: Date): string {
  const today = shanghaiDate(at)
  return kind === 'week' ? weekStart(today) : `${today.slice(0, 7)}-01`
}

const previousStart = (kind: PeriodKind, start: string) =>
  kind === 'week' ? addDays(start, -7) : midnight(start).subtract(1, 'month').format('YYYY-MM-DD')

/** The last period of this kind that has ended by `at` (what an on-demand run covers). */
export function lastComplete(kind: PeriodKind, at: Date): CircularPeriod {
  return periodOf(kind, previousStart(kind, currentStart(kind, at)))
}

/**
 * The period the schedule owes at `at`: the one before the latest send slot (Monday or the 1st,
 * 08:00) that has passed, while that slot is at most a few days old; otherwise none.
 */
export function scheduledDue(kind: PeriodKind, at: Date): CircularPeriod | null {
  let slotDay = currentStart(kind, at)
  let slot = midnight(slotDay).add(SEND_HOUR, 'hour')
  if (at.getTime() < slot.valueOf()) {
    slotDay = previousStart(kind, slotDay)
    slot = midnight(slotDay).add(SEND_HOUR, 'hour')
  }
  if (at.getTime() - slot.valueOf() > CATCH_UP_DAYS[kind] * 86_400_000) return null
  return periodOf(kind, previousStart(kind, slotDay))
}
