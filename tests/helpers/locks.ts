// Holding a lock while a test looks at what a request does: anything that needs what is locked waits
// until the lock is released, so "answered while locked" proves "never touched it", and "answered
// only after release" proves the answer waited for the write.
import { sql, type Kysely, type RawBuilder } from 'kysely'

export interface HeldLock {
  release(): Promise<void>
}

/** Runs `lock` in a transaction of its own and holds what it took until `release()`; resolves once held. */
export async function holdLock(db: Kysely<any>, lock: RawBuilder<unknown>): Promise<HeldLock> {
  let unlock!: () => void
  const unlocked = new Promise<void>((resolve) => (unlock = resolve))
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  const holder = db.transaction().execute(async (tx) => {
    await lock.execute(tx)
    locked()
    await unlocked
  })
  await Promise.race([isLocked, holder])
  return {
    release: async () => {
      unlock()
      await holder
    },
  }
}

/** Locks `table` (access exclusive). */
export const lockTable = (db: Kysely<any>, table: string) => holdLock(db, sql`lock table ${sql.table(table)} in access exclusive mode`)

/** Locks one row as an update of it would (what a submit holds on its attempt). */
export const lockRow = (db: Kysely<any>, table: string, id: number) =>
  holdLock(db, sql`select id from ${sql.table(table)} where id = ${id} for no key update`)
