// The member pages' dates (web/src/lib/time.ts, formatTime): in Shanghai time, and with the year
// when it is not the current one — a window closing next December must not read as closing today.
import { describe, expect, it } from 'vitest'
import { formatDateTime, formatTime } from '../web/src/lib/time.js'

const now = new Date('2026-12-06T02:00:00Z') // 10:00 on 6 December 2026 in Shanghai

describe('formatTime', () => {
  it('leaves the year out within the current Shanghai year', () => {
    const text = formatTime('2026-12-06T02:48:00Z', now)
    expect(text).toContain('10:48')
    expect(text).not.toContain('2026')
  })

  it('shows the year of another year', () => {
    expect(formatTime('2027-12-06T02:48:00Z', now)).toContain('2027')
    expect(formatTime('2025-03-01T01:00:00Z', now)).toContain('2025')
  })

  it('decides the year by Shanghai’s calendar, not the device’s', () => {
    // 31 December 2026 20:00 UTC is already 1 January 2027 in Shanghai.
    expect(formatTime('2026-12-31T20:00:00Z', now)).toContain('2027')
    // 31 December 2025 17:00 UTC is 1 January 2026 in Shanghai: this year.
    expect(formatTime('2025-12-31T17:00:00Z', now)).not.toContain('202')
  })
})

describe('formatDateTime', () => {
  it('is one form across the console and member pages: Shanghai time, zero-padded, with seconds', () => {
    expect(formatDateTime('2026-07-01T01:05:07Z')).toBe('2026-07-01 09:05:07')
    // Late in the UTC evening is the next Shanghai day.
    expect(formatDateTime('2026-12-31T16:00:00Z')).toBe('2027-01-01 00:00:00')
  })
})
