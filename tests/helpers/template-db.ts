// One migrated, demo-seeded template per test run; every test file gets its own copy of it
// (PGlite: a dumped data dir loaded in memory; PostgreSQL: CREATE DATABASE … TEMPLATE …).
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { openDatabase, type DbHandle } from '../../server/db/connect.js'
import { migrateToLatest } from '../../server/db/migrator.js'
import { seedDemo } from '../../server/seed/demo.js'
import { syncBank, BANK_DIR } from '../../server/modules/questions/bank-sync.js'
import { withPgClient } from './pg-client.js'

export const ARTIFACTS = path.resolve(import.meta.dirname, '../.artifacts')
const PGLITE_TEMPLATE = path.join(ARTIFACTS, 'pglite-template.tar.gz')

/** Where the test suite's PostgreSQL lives, if it runs on PostgreSQL at all. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined

function urlFor(base: string, database: string) {
  const u = new URL(base)
  u.pathname = `/${database}`
  return u.toString()
}

const admin = <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => withPgClient(TEST_DATABASE_URL!, fn)

async function prepare(handle: DbHandle) {
  await migrateToLatest(handle.db)
  await seedDemo(handle.db)
  await syncBank(handle.db, BANK_DIR)
}

/** Builds the template; returns its identifier (a file path or a database name). */
export async function buildTemplate(): Promise<string> {
  if (TEST_DATABASE_URL) {
    const name = `xuece_tpl_${process.pid}_${randomBytes(3).toString('hex')}`
    await admin((c) => c.query(`create database ${name}`))
    const handle = await openDatabase({ kind: 'postgres', url: urlFor(TEST_DATABASE_URL, name), poolSize: 2 })
    await prepare(handle)
    await handle.close()
    return name
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  const handle = await openDatabase({ kind: 'pglite' })
  await prepare(handle)
  const dump = await handle.pglite!.dumpDataDir('gzip')
  fs.writeFileSync(PGLITE_TEMPLATE, Buffer.from(await dump.arrayBuffer()))
  await handle.close()
  return PGLITE_TEMPLATE
}

export async function dropTemplate(id: string) {
  if (TEST_DATABASE_URL) await admin((c) => c.query(`drop database if exists ${id} with (force)`))
}

/** A fresh database for one test file, cloned from the template. */
export async function openTestDatabase(template: string): Promise<DbHandle & { url?: string }> {
  if (TEST_DATABASE_URL) {
    const name = `xuece_t_${randomBytes(5).toString('hex')}`
    await admin((c) => c.query(`create database ${name} template ${template}`))
    const url = urlFor(TEST_DATABASE_URL, name)
    const handle = await openDatabase({ kind: 'postgres', url, poolSize: 10 })
    return {
      ...handle,
      url,
      close: async () => {
        await handle.close()
        await admin((c) => c.query(`drop database if exists ${name} with (force)`))
      },
    }
  }
  const blob = new Blob([fs.readFileSync(template)])
  return openDatabase({ kind: 'pglite', loadDataDir: blob })
}
