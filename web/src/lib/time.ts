// Every date and time the web app shows, in Shanghai time whatever the device's zone: exam windows,
// point days and reports all end at Shanghai midnight on the server, so a member abroad or a PC
// with a wrong zone must see the same clock as the server (the rule: days are Asia/Shanghai days).
const TZ = 'Asia/Shanghai'

const partsFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: TZ,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

interface Parts {
  year: string
  month: string
  day: string
  hour: string
  minute: string
  second: string
}

/** The Shanghai calendar fields of an instant, zero-padded. */
function parts(at: Date | string): Parts {
  const out: Record<string, string> = {}
  for (const p of partsFormat.formatToParts(new Date(at))) out[p.type] = p.value
  return out as unknown as Parts
}

/** "2026-07-01" (Shanghai date). */
export function shanghaiDay(at: Date | string = new Date()): string {
  const p = parts(at)
  return `${p.year}-${p.month}-${p.day}`
}

/** Today's Shanghai date as numbers (month 0-based, as Date wants it). */
export function shanghaiToday(now = new Date()): { y: number; m: number; d: number } {
  const p = parts(now)
  return { y: Number(p.year), m: Number(p.month) - 1, d: Number(p.day) }
}

/**
 * "12/6 09:00" on member pages (the browser's zh-CN short form); with the year ("2027/12/6 09:00")
 * when the instant is in another Shanghai year than `now`: an exam that closes next December would
 * otherwise read as closing today.
 */
export function formatTime(iso: string, now: Date = new Date()): string {
  const otherYear = parts(iso).year !== parts(now).year
  return new Date(iso).toLocaleString('zh-CN', {
    timeZone: TZ,
    ...(otherYear ? { year: 'numeric' as const } : {}),
    month: 'numeric',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  })
}

/** "2026年7月1日". */
export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString('zh-CN', { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric' })
}

/** "2026年7月1日星期三": the hall screen's date line. */
export function formatDateWeekday(at: Date): string {
  return at.toLocaleDateString('zh-CN', { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' })
}

/** "09:05". */
export function formatHourMinute(iso: string): string {
  return new Date(iso).toLocaleTimeString('zh-CN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false })
}

/** "09:05:07": live "updated at" stamps and clocks. */
export function formatClockTime(at: Date | string): string {
  return new Date(at).toLocaleTimeString('zh-CN', { timeZone: TZ, hour12: false })
}

/** "2026-07-01 09:05:07": revision and edit stamps, in the same form as the tables' fmtTime. */
export function formatDateTime(iso: string): string {
  const p = parts(iso)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/** "2026-07-01 09:05", or "—" for nothing (console tables). */
export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  const p = parts(iso)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** Time of day with seconds; the date too when it is not today (Shanghai days). */
export function fmtClock(iso: string | null | undefined): string {
  if (!iso) return '—'
  const p = parts(iso)
  return shanghaiDay(iso) === shanghaiDay() ? `${p.hour}:${p.minute}:${p.second}` : `${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** A window as one compact string: the second date is left out when the window stays within one day. */
export function fmtWindow(opensAt: string, closesAt: string): string {
  const b = parts(closesAt)
  return `${fmtTime(opensAt)} ~ ${shanghaiDay(opensAt) === shanghaiDay(closesAt) ? `${b.hour}:${b.minute}` : fmtTime(closesAt)}`
}

/** "1:05" / "12:30" for seconds of study. */
export function formatSeconds(s: number): string {
  const m = Math.floor(s / 60)
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`
}

/** "05:07" or "1:05:07" left until `deadlineMs` at `nowMs` (countdowns). */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000))
  const h = Math.floor(s / 3600)
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0')
  const ss = String(s % 60).padStart(2, '0')
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`
}
