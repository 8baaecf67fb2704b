// How long work waits for a pooled PostgreSQL connection, and how long it keeps one. A statement
// takes PostgreSQL about a millisecond here, but the connection is free again only once this
// process's event loop has read the reply: with long loop turns, ten connections carry at most ten
// statements per turn and the rest wait in the pool's queue. These figures tell that wait apart
// from time spent in PostgreSQL or in JavaScript (health metrics, the exam-day bench).
import { createHistogram, performance, type RecordableHistogram } from 'node:perf_hooks'
import type pg from 'pg'

export interface PoolReading {
  size: number
  /** Most requests waiting for a connection at one moment since the previous reading. */
  waitingMax: number
  /** Connections handed out since the previous reading. */
  checkouts: number
  /** From asking for a connection to getting one (ms). */
  waitMs: Percentiles
  /** From getting a connection to giving it back: statements plus reading their replies (ms). */
  heldMs: Percentiles
}

interface Percentiles {
  p50: number
  p99: number
  max: number
}

export interface PoolMeter {
  /** The pool as Kysely's PostgresDialect takes it, timing every checkout. */
  pool: { connect(): Promise<pg.PoolClient>; end(): Promise<void>; options: object; Client?: typeof pg.Client }
  /** Figures since the previous call (the first covers everything since the pool was made). */
  read(): PoolReading
}

export function meterPool(pool: pg.Pool, size: number): PoolMeter {
  // Microseconds, so sub-millisecond holds are not all rounded to one bucket.
  let waits = createHistogram()
  let holds = createHistogram()
  let waitingMax = 0

  const measured = {
    async connect() {
      const asked = performance.now()
      const checkout = pool.connect()
      // pg-pool queues every caller synchronously and hands idle connections out on the next tick:
      // only with none idle is the queue a wait (it counts this caller too).
      if (pool.idleCount === 0) waitingMax = Math.max(waitingMax, pool.waitingCount)
      const client = await checkout
      const got = performance.now()
      waits.record(microseconds(got - asked))
      // pg-pool gives each checkout a fresh release function, so wrapping it never stacks.
      const release = client.release.bind(client)
      client.release = (err?: Error | boolean) => {
        holds.record(microseconds(performance.now() - got))
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
        size,
        waitingMax,
        checkouts: waits.count,
        waitMs: percentiles(waits),
        heldMs: percentiles(holds),
      }
      waits = createHistogram()
      holds = createHistogram()
      waitingMax = 0
      return reading
    },
  }
}

const microseconds = (ms: number) => Math.max(1, Math.round(ms * 1000))

function percentiles(h: RecordableHistogram): Percentiles {
  if (h.count === 0) return { p50: 0, p99: 0, max: 0 }
  const ms = (us: number) => Math.round(us / 10) / 100
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) }
}
