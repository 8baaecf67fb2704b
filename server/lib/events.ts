// Domain events inside one process: modules announce what changed, the realtime layer listens and
// pushes projections. Nothing here is durable; the database stays the truth.
import { EventEmitter } from 'node:events'
import type { NotificationPayload } from '../realtime/events-map.js'

export interface DomainEventMap {
  /** Notifications committed for these people: pushed to each person's sockets. */
  'notifications:created': [created: { userId: number; notification: NotificationPayload }[]]
  /** Something that changes an exam's progress or leaderboard (start, answer, submit, reopen). */
  'exam:changed': [examId: number]
  /** An exam's design changed or it was withdrawn or archived: cached copies are stale. */
  'exam:edited': [examId: number]
  /** Someone earned study points. */
  'points:changed': [userId: number]
  /** A contest was cancelled: the games home stops it and tells its hall screens and phones. */
  'contest:cancelled': [contestId: number]
  /** Someone logged in (the points module awards 登录 once a day). */
  'user:loggedIn': [login: { userId: number; orgId: number; at: Date }]
}

export class DomainEvents extends EventEmitter<DomainEventMap> {
  /**
   * Emits and waits for every listener, including the promises they return: for reactions the
   * emitter's answer should already reflect (a login's 登录 point shows on the next screen).
   * A listener's failure never fails the emitter; listeners log their own.
   */
  async emitAndSettle<K extends keyof DomainEventMap>(name: K, ...args: DomainEventMap[K]): Promise<void> {
    const listeners = this.listeners(name) as ((...a: DomainEventMap[K]) => unknown)[]
    await Promise.allSettled(listeners.map((listener) => Promise.resolve().then(() => listener(...args))))
  }
}
