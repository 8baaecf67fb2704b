// Sending notifications: once per person and cause, inside the caller's transaction, pushed live
// after commit. Other modules (tasks, contests, 通报) call `notify` with their own cause.
import type { Emit, Tx } from '../../lib/transaction.js'
import { insertNotifications, toNotificationDto, type NewNotification } from './queries.js'
import { workOf } from './schemas.js'
import { reminderAllowed } from '../policy/index.js'

export type { NewNotification }

/**
 * Returns how many people got it now (those who already had this cause are skipped; none when the
 * policy holds back a kind that is not about organised work).
 */
export async function notify(tx: Tx, emit: Emit, userIds: number[], n: NewNotification, at: Date): Promise<number> {
  // 国办函〔2026〕12号: with reminders limited to organised work, any other kind is not sent at all.
  if (!(await reminderAllowed(tx, workOf(n.kind)))) return 0
  const rows = await insertNotifications(tx, [...new Set(userIds)], n, at)
  if (rows.length)
    emit(
      'notifications:created',
      rows.map((r) => ({ userId: r.user_id, notification: toNotificationDto(r) })),
    )
  return rows.length
}
