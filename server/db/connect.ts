// Chooses the SQL driver: PostgreSQL over pg when a URL is given, else embedded PGlite.
// Both must hand back the same JS types, so int8 and numeric become numbers on both.
import { Kysely, PGliteDialect, PostgresDialect, type PostgresPool } from 'kysely'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import type { Database } from './types.js'
import { lockDataDir } from './pglite-lock.js'
import { meterPool, type PoolReading } from './pool-meter.js'
import path from 'node:path'

export type DbKind = 'postgres' | 'pglite'

export interface DbHandle {
  db: Kysely<Database>
  kind: DbKind
  close(): Promise<void>
  /** Only for PGlite: the raw instance (tests dump and restore it). */
  pglite?: PGlite
  /**
   * Only for PostgreSQL: `size` connections of their own, for work that must not wait in the shared
   * pool's queue behind everything else (closed with the handle). PGlite has one connection anyway.
   */
  dedicated?(size: number): Kysely<Database>
  /** Only for PostgreSQL: the shared pool's waits and holds since the previous call. */
  poolReading?(): PoolReading
}

const INT8_OID = 20
const NUMERIC_OID = 1700
const DATE_OID = 1082
const toNumber = (v: string) => (v === null ? v : Number(v))
// A calendar date stays the string 'YYYY-MM-DD': turning it into a Date at local midnight would
// shift it by the server's time zone.
const asIs = (v: string) => v

pg.types.setTypeParser(INT8_OID, toNumber)
pg.types.setTypeParser(NUMERIC_OID, toNumber)
pg.types.setTypeParser(DATE_OID, asIs)

export type DbTarget = { kind: 'postgres'; url: string; poolSize?: number } | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob }

export async function openDatabase(target: DbTarget): Promise<DbHandle> {
  if (target.kind === 'postgres') {
    // Only the shared pool is metered: its queue is the one requests wait in (the dedicated
    // connections exist so that autosave and pushes never do).
    const meter = meterPool(postgresPool(target.url, target.poolSize ?? 20))
    const db = kyselyOn(meter.pool)
    const others: Kysely<Database>[] = []
    return {
      db,
      kind: 'postgres',
      poolReading: meter.read,
      dedicated(size) {
        const own = kyselyOn(postgresPool(target.url, size))
        others.push(own)
        return own
      },
      close: async () => {
        await Promise.all([db, ...others].map((d) => d.destroy()))
      },
    }
  }

  const release = target.dataDir ? lockDataDir(target.dataDir) : () => {}
  try {
    const pglite = await PGlite.create({
      dataDir: target.dataDir ? path.join(target.dataDir, 'pgdata') : undefined,
      loadDataDir: target.loadDataDir,
      parsers: { [INT8_OID]: toNumber, [NUMERIC_OID]: toNumber, [DATE_OID]: asIs },
      // Trigram indexes for bank search (PostgreSQL ships pg_trgm in contrib; PGlite bundles it).
      extensions: { pg_trgm },
    })
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) })
    return {
      db,
      kind: 'pglite',
      pglite,
      close: async () => {
        await db.destroy()
        release()
      },
    }
  } catch (err) {
    release()
    throw err
  }
}

const kyselyOn = (pool: PostgresPool) => new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })

function postgresPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5_000,
    // A dropped server connection must surface as an error, not a hang.
    keepAlive: true,
  })
  // A client losing its connection emits 'error' — on the pool when idle, on the client itself
  // when checked out between statements. Unheard, either would crash the process; the query that
  // needed the connection already fails (and answers 503).
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  return pool
}
