// How long work waits for a pooled PostgreSQL connection, and how long it keeps one. A statement
// takes PostgreSQL about a millisecond here, but the connection is free again only once this
// process's event loop has read the reply: with long loop turns, ten connections carry at most ten
// statements per turn and the rest wait in the pool's queue. These figures tell that wait apart
// from time spent in PostgreSQL or in JavaScript (health metrics, the exam-day bench).
import { createHistogram, performance } from 'node:perf_hooks'
import type { PostgresPool } from 'kysely'
import type pg from 'pg'
import { millisecondPercentiles } from '../lib/histogram.js'

export interface PoolReading {
  size: number
  /** Most requests waiting for a connection at one moment since the previous reading. */
  waitingMax: number
  /** Connections handed out since the previous reading. */
  checkouts: number
  /** From asking for a connection to getting one (ms). */
  waitMs: ReturnType<typeof millisecondPercentiles>
  /** From getting a connection to giving it back: statements plus reading their replies (ms). */
  heldMs: ReturnType<typeof millisecondPercentiles>
}

export interface PoolMeter {
  /** The pool as Kysely's PostgresDialect takes it, timing every checkout. */
  pool: PostgresPool
  /** Figures since the previous call (the first covers everything since the pool was made). */
  read(): PoolReading
}

export function meterPool(pool: pg.Pool): PoolMeter {
  // Nanoseconds, as node's own histograms count (the event-loop delay's too).
  let waits = createHistogram()
  let holds = createHistogram()
  let waitingMax = 0

  const measured = {
    async connect() {
      const asked = performance.now()
      const checkout = pool.connect()
      // pg-pool queues every caller synchronously and hands idle connections out on the next tick:
      // only with none idle is the queue a wait (it counts this caller too). Read once now and once
      // after those hand-outs: callers arriving in one tick while a connection was still idle all
      // queue behind it, and those left over then were waiting though none saw an empty pool.
      const readQueue = () => {
        if (pool.idleCount === 0) waitingMax = Math.max(waitingMax, pool.waitingCount)
      }
      readQueue()
      setImmediate(readQueue)
      const client = await checkout
      const got = performance.now()
      waits.record(nanoseconds(got - asked))
      // pg-pool gives each checkout a fresh release function, so wrapping it never stacks.
      const release = client.release.bind(client)
      client.release = (err?: Error | boolean) => {
        holds.record(nanoseconds(performance.now() - got))
        return release(err)
      }
      return client
    },
    end: () => pool.end(),
    // Kysely reads these of the pool it is given (cancelling a statement opens a control client).
    options: pool.options,
    Client: (pool as unknown as { Client?: typeof pg.Client }).Client,
  }

  return {
    pool: measured,
    read() {
      const reading: PoolReading = {
        size: pool.options.max ?? 0,
        waitingMax,
        checkouts: waits.count,
        waitMs: millisecondPercentiles(waits),
        heldMs: millisecondPercentiles(holds),
      }
      waits = createHistogram()
      holds = createHistogram()
      waitingMax = 0
      return reading
    },
  }
}

const nanoseconds = (ms: number) => Math.max(1, Math.round(ms * 1e6))
