// Keys of the periods points are totalled by. A day ends at midnight in Shanghai.
import { weekStart } from '../../lib/time.js'

export type Period = 'day' | 'week' | 'month' | 'total'

export function periodKey(period: Period, day: string): string {
  switch (period) {
    case 'day':
      return `D:${day}`
    case 'week':
      return `W:${weekStart(day)}`
    case 'month':
      return `M:${day.slice(0, 7)}`
    case 'total':
      return 'T'
  }
}

/** Every total a new award adds to, in a fixed order so concurrent awards lock rows alike. */
export function allPeriodKeys(day: string): string[] {
  return (['day', 'month', 'total', 'week'] as Period[]).map((p) => periodKey(p, day)).sort()
}
