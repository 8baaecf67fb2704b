// The refusals that say where a contest stands, in one place: hosting (runtime.ts, host-steps.ts)
// and the REST routes (service.ts) refuse a contest that has ended, or whose questions an open exam
// holds, and the hall screen, the phones and the console must read the same words for the same fact.
// A contest that has ended is named the one way (本场竞答已结束 / 本场竞答已取消, codes FINISHED /
// CANCELLED); a cancel adds why nothing was done.
import { AppError } from '../../lib/errors.js'

/** How a contest ended: played to its podium, or stopped by its host. */
export type EndedStatus = 'finished' | 'cancelled'

const ENDED: Record<EndedStatus, { code: string; message: string }> = {
  finished: { code: 'FINISHED', message: '本场竞答已结束' },
  cancelled: { code: 'CANCELLED', message: '本场竞答已取消' },
}

/** The contest has ended: its hall screen does not open again, and 下一题 does nothing. */
export function contestEnded(status: EndedStatus) {
  return new AppError(409, ENDED[status].code, ENDED[status].message)
}

/** A cancel of a contest that has ended: how it ended, and why nothing was done. */
export function cannotCancel(status: EndedStatus) {
  const why = status === 'cancelled' ? '无需再次取消' : '不能取消'
  return new AppError(409, ENDED[status].code, `${ENDED[status].message}，${why}`)
}

/**
 * No contest of that id being played (never made, ended, or not loaded here for this player): one
 * answer for all, so a player learns nothing of contests she is not in.
 */
export const contestGone = () => new AppError(404, 'NOT_FOUND', '竞答不存在或已结束')

/** A PIN that admits nobody: none given out, or its contest has ended (PINs are reused after). */
export const pinGone = () => new AppError(404, 'NOT_FOUND', '竞答码无效，或该竞答已结束')

/** The 409 for questions an open exam holds, at creation (a running contest skips them instead). */
export function onOpenExam(ids: number[]) {
  return new AppError(409, 'QUESTION_ON_OPEN_EXAM', `题目 ${ids.join('、')} 属于尚未结束的考试，考试结束后才能用于竞答`)
}

/** The 409 when a contest not yet started has no question an open exam does not hold. */
export function nothingLeftToAsk(count: number) {
  return new AppError(
    409,
    'QUESTION_ON_OPEN_EXAM',
    count === 1
      ? '这道题也出现在正在进行的考试中，考试结束后才能开始本场竞答'
      : `这 ${count} 道题都出现在正在进行的考试中，考试结束后才能开始本场竞答`,
  )
}
