// Days end at midnight in Asia/Shanghai, wherever the server runs.
import dayjs from 'dayjs'
import utc from 'dayjs/plugin/utc.js'
import timezone from 'dayjs/plugin/timezone.js'

dayjs.extend(utc)
dayjs.extend(timezone)

export const ZONE = 'Asia/Shanghai'

// One cached formatter: this runs on hot paths (every start, award and heartbeat), and building a
// zoned dayjs object per call showed up in CPU profiles. 'en-CA' formats dates as YYYY-MM-DD.
const dateInShanghai = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' })

/** The calendar date (YYYY-MM-DD) in Shanghai at instant `at`. */
export function shanghaiDate(at: Date): string {
  return dateInShanghai.format(at)
}

export { dayjs }

/** Monday of the Shanghai week containing `day` (YYYY-MM-DD). */
export function weekStart(day: string): string {
  const d = dayjs.tz(day, ZONE)
  const offset = (d.day() + 6) % 7 // Monday = 0
  return d.subtract(offset, 'day').format('YYYY-MM-DD')
}

export function addDays(day: string, n: number): string {
  return dayjs.tz(day, ZONE).add(n, 'day').format('YYYY-MM-DD')
}

/** A timestamp as the API gives it (ISO 8601, UTC), from a Date or a timestamp string. */
export const isoTime = (at: Date | string) => new Date(at).toISOString()

/** isoTime for a column that may be empty: null stays null. */
export const isoTimeOrNull = (at: Date | string | null | undefined) => (at ? isoTime(at) : null)
