// Sign-in (签到): the host shows a short code and its QR, which rotate; a person types the code or
// opens the QR's link on her phone. The code is the proof of presence, so anyone signed in may use
// it, within the activity's window only. Repeating is harmless (the first sign-in stands), late
// sign-ins are marked, and signing in earns the 活动签到 point rule, capped per day.
import { randomInt } from 'node:crypto'
import QRCode from 'qrcode'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { conflict, notFound } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import { award } from '../points/index.js'
import { activityInScope } from './activities.js'
import type { CheckinAnswer, CheckinCodeBody } from './schemas.js'

/** A code stays valid this long; the host's screen fetches a new one every minute before it lapses. */
export const CODE_TTL_MS = 3 * 60_000
/** Sign-in opens this long before the start … */
export const OPENS_BEFORE_MS = 60 * 60_000
/** … and closes this long after the end (or after the start plus DEFAULT_LENGTH_MS when no end is set). */
export const CLOSES_AFTER_MS = 30 * 60_000
export const DEFAULT_LENGTH_MS = 4 * 60 * 60_000
/** Signing in later than this after the start is marked 迟到. */
export const LATE_AFTER_MS = 10 * 60_000
export const CHECKIN_RULE = 'activity_checkin'
const CODE_DIGITS = 6

function window(a: { starts_at: Date; ends_at: Date | null }) {
  const start = new Date(a.starts_at).getTime()
  const end = a.ends_at ? new Date(a.ends_at).getTime() : start + DEFAULT_LENGTH_MS
  return { opens: start - OPENS_BEFORE_MS, closes: end + CLOSES_AFTER_MS, start }
}

function assertOpen(a: { starts_at: Date; ends_at: Date | null }, now: Date, only: 'both' | 'closing' = 'both') {
  const w = window(a)
  if (only === 'both' && now.getTime() < w.opens) throw conflict('签到尚未开始（活动开始前 1 小时开放签到）')
  if (now.getTime() > w.closes) throw conflict('签到已结束')
}

/** A fresh code for an activity the caller manages; earlier codes stay valid until they expire. */
export async function issueCheckinCode(deps: Deps, principal: Principal, activityId: number, origin: string): Promise<CheckinCodeBody> {
  const now = deps.clock.now()
  const issued = await withTransaction(deps, async (tx) => {
    const activity = await activityInScope(tx, principal, activityId)
    // The host may put the screen up early; members are still held to the window when they sign in.
    assertOpen(activity, now, 'closing')
    // Old codes are kept a day so a late typist hears "expired" rather than "unknown".
    await tx
      .deleteFrom('activity_checkin_codes')
      .where('expires_at', '<', new Date(now.getTime() - 86_400_000))
      .execute()
    const expiresAt = new Date(now.getTime() + CODE_TTL_MS)
    for (let tries = 0; tries < 20; tries++) {
      const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0')
      const row = await tx
        .insertInto('activity_checkin_codes')
        .values({ code, activity_id: activityId, expires_at: expiresAt, created_by: principal.userId, created_at: now })
        .onConflict((oc) => oc.column('code').doNothing())
        .returning('code')
        .executeTakeFirst()
      if (row) {
        await audit(tx, principal.userId, 'activity.checkin_code', 'activity', activityId, { expiresAt: expiresAt.toISOString() })
        return { code, expiresAt }
      }
    }
    throw conflict('签到码生成失败，请重试')
  })
  const url = `/checkin?code=${issued.code}`
  const qrSvg = await QRCode.toString(`${origin}${url}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return { code: issued.code, expiresAt: issued.expiresAt.toISOString(), url, qrSvg }
}

export async function checkIn(deps: Deps, principal: Principal, rawCode: string): Promise<CheckinAnswer> {
  const code = rawCode.replace(/\s+/g, '')
  const now = deps.clock.now()
  return withTransaction(deps, async (tx, emit) => {
    const row = await tx
      .selectFrom('activity_checkin_codes as c')
      .innerJoin('activities as a', 'a.id', 'c.activity_id')
      .select(['c.expires_at', 'a.id', 'a.title', 'a.starts_at', 'a.ends_at'])
      .where('c.code', '=', code)
      .executeTakeFirst()
    if (!row) throw notFound('签到码')
    const prior = await tx
      .selectFrom('activity_participants')
      .select(['checked_in_at', 'late'])
      .where('activity_id', '=', row.id)
      .where('user_id', '=', principal.userId)
      .executeTakeFirst()
    if (prior?.checked_in_at) {
      // Already signed in: the first sign-in stands, whatever the code's state now.
      return {
        activityId: row.id,
        checkedInAt: new Date(prior.checked_in_at).toISOString(),
        late: prior.late,
        title: row.title,
        pointsEarned: 0,
        repeated: true,
      }
    }
    if (new Date(row.expires_at).getTime() < now.getTime()) throw conflict('签到码已过期，请扫描屏幕上最新的二维码')
    assertOpen(row, now)
    const late = now.getTime() > new Date(row.starts_at).getTime() + LATE_AFTER_MS
    // First sign-in wins, also when the same person's phone sends it twice at once: the insert
    // does nothing on a conflict, and the update only fills an empty sign-in (a roster entry). Under
    // the row lock the second of two racing requests finds the sign-in made and reports a repeat.
    const inserted = await tx
      .insertInto('activity_participants')
      .values({
        activity_id: row.id,
        user_id: principal.userId,
        org_id: principal.orgId,
        checked_in_at: now,
        late,
        added_by: principal.userId,
      })
      .onConflict((oc) => oc.columns(['activity_id', 'user_id']).doNothing())
      .returning(['checked_in_at', 'late'])
      .executeTakeFirst()
    const saved =
      inserted ??
      (await tx
        .updateTable('activity_participants')
        .set({ checked_in_at: now, late })
        .where('activity_id', '=', row.id)
        .where('user_id', '=', principal.userId)
        .where('checked_in_at', 'is', null)
        .returning(['checked_in_at', 'late'])
        .executeTakeFirst())
    if (!saved) {
      const first = await tx
        .selectFrom('activity_participants')
        .select(['checked_in_at', 'late'])
        .where('activity_id', '=', row.id)
        .where('user_id', '=', principal.userId)
        .executeTakeFirstOrThrow()
      return {
        activityId: row.id,
        checkedInAt: new Date(first.checked_in_at!).toISOString(),
        late: first.late,
        title: row.title,
        pointsEarned: 0,
        repeated: true,
      }
    }
    const points = await award(tx, {
      userId: principal.userId,
      orgId: principal.orgId,
      rule: CHECKIN_RULE,
      idemKey: `activity:${row.id}`,
      at: now,
      detail: { activityId: row.id },
    })
    const earned = points.duplicate ? 0 : points.points
    if (earned > 0) emit('points:changed', principal.userId)
    return {
      activityId: row.id,
      checkedInAt: new Date(saved.checked_in_at!).toISOString(),
      late: saved.late,
      title: row.title,
      pointsEarned: earned,
      repeated: false,
    }
  })
}
