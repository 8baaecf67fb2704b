// Group commit for autosave: saves arriving within a couple of milliseconds are written by one
// multi-row call (save_answers), and each request is acknowledged only after that call committed.
// One round trip then carries hundreds of answers, which is what lets one node take an exam day.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Clock } from '../../lib/clock.js'
import { AppError } from '../../lib/errors.js'

/** Skips (locked attempt row) before a save waits for the lock instead. */
const MAX_SKIPS = 5

export interface SaveItem {
  attemptId: number
  userId: number
  questionId: number
  answer: unknown
}

/** An attempt and the person it belongs to: a save is written only where both match. */
const ownKey = (s: { attemptId: number; userId: number }) => `${s.attemptId}:${s.userId}`

interface Pending extends SaveItem {
  resolve(saved: boolean): void
  reject(err: unknown): void
  /** How often this save was skipped because its attempt row was locked (being submitted). */
  skips?: number
}

export class AutosaveBatcher {
  private queue: Pending[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private inflight = 0
  private closed = false

  /**
   * One batch at a time: concurrent batches would wait on each other's attempt-row locks (and could
   * reorder two saves of one answer through the skip-and-retry below). While a batch runs, new saves
   * gather into the next, larger one.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly opts = { maxDelayMs: 2, maxBatch: 500, maxInflight: 1 },
  ) {}

  /** Resolves true once committed, false when the attempt is not open for this person. */
  save(item: SaveItem): Promise<boolean> {
    // A node shutting down takes no new saves; the client keeps the answer and retries elsewhere.
    if (this.closed) return Promise.reject(new AppError(503, 'SHUTTING_DOWN', '服务器正在重启，答案已保存在本机，稍后会自动重新提交'))
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, resolve, reject })
      if (this.queue.length >= this.opts.maxBatch) this.flush()
      else if (!this.timer && this.inflight < this.opts.maxInflight) this.timer = setTimeout(() => this.flush(), this.opts.maxDelayMs)
    })
  }

  /** Writes what is queued and waits for the writes in flight: nothing acknowledged is left behind. */
  async close(): Promise<void> {
    this.closed = true
    while (this.queue.length || this.inflight) {
      if (!this.inflight) this.flush()
      await new Promise((resolve) => setTimeout(resolve, this.opts.maxDelayMs))
    }
    if (this.timer) clearTimeout(this.timer)
  }

  private flush() {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.inflight >= this.opts.maxInflight || !this.queue.length) return
    const batch = this.queue.splice(0, this.opts.maxBatch)
    this.inflight++
    void this.write(batch).finally(() => {
      this.inflight--
      // A short gap lets a submit that made us skip a row finish, and lets the next batch fill.
      if (this.queue.length) this.timer ??= setTimeout(() => this.flush(), this.opts.maxDelayMs)
    })
  }

  /**
   * Attempt rows already locked — by a submit in progress — are skipped rather than waited for, so
   * one submit cannot stall hundreds of unrelated saves. A skipped save rejoins the queue and goes
   * with a later batch (a submit holds its lock for milliseconds); only after several skips does it
   * wait for the lock on its own. Either way it ends written, or refused because the attempt closed.
   */
  private async write(batch: Pending[]) {
    const patient = batch.filter((b) => (b.skips ?? 0) < MAX_SKIPS)
    const waiting = batch.filter((b) => (b.skips ?? 0) >= MAX_SKIPS)
    try {
      if (patient.length) {
        const open = await this.upsert(patient, true)
        const skipped: Pending[] = []
        for (const b of patient) {
          if (open.has(ownKey(b))) b.resolve(true)
          else skipped.push({ ...b, skips: (b.skips ?? 0) + 1 })
        }
        // Back to the front, in order: a later save of the same answer, already queued behind them,
        // still comes later in the next batch and wins there.
        this.queue.unshift(...skipped)
      }
    } catch (err) {
      for (const b of patient) b.reject(err)
    }
    // Each long-skipped save waits for its own attempt's lock, one row at a time and outside the
    // batch slot: a big batch waiting on many submits in turn would hold up every other save.
    for (const b of waiting) {
      this.upsert([b], false).then(
        (open) => b.resolve(open.has(ownKey(b))),
        (err) => b.reject(err),
      )
    }
  }

  /**
   * One call of save_answers (a PL/pgSQL function: lock the open attempts in id order, upsert the
   * latest save of each answer in key order, count new answers); returns the open attempts with their
   * owners (ownKey): the saves naming one of them were written. The batch goes as one jsonb array, so
   * the statement's text never changes and PostgreSQL reuses its plans instead of planning each batch.
   */
  private async upsert(batch: Pending[], skipLocked: boolean): Promise<Set<string>> {
    const saves = JSON.stringify(batch.map((b) => ({ attempt: b.attemptId, user: b.userId, question: b.questionId, answer: b.answer })))
    const { rows } = await sql<{ open_attempt_id: number; open_user_id: number }>`
      select open_attempt_id, open_user_id from save_answers(${saves}::jsonb, ${this.clock.now()}::timestamptz, ${skipLocked}::boolean)`.execute(
      this.db,
    )
    return new Set(rows.map((r) => ownKey({ attemptId: r.open_attempt_id, userId: r.open_user_id })))
  }
}

/**
 * Several group commits side by side. One batch at a time per lane keeps an attempt's saves in
 * order and its lock waits short; an attempt always goes to the same lane (by id), so lanes lock
 * disjoint attempt rows and cannot deadlock each other. Two lanes let one batch be written while
 * the next is parsed and queued, which is where the tail latency of a single lane came from.
 */
export class AutosaveLanes {
  private readonly lanes: AutosaveBatcher[]

  constructor(db: Kysely<Database>, clock: Clock, count = 2) {
    this.lanes = Array.from({ length: Math.max(1, count) }, () => new AutosaveBatcher(db, clock))
  }

  save(item: SaveItem): Promise<boolean> {
    return this.lanes[item.attemptId % this.lanes.length].save(item)
  }

  async close(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close()))
  }
}
