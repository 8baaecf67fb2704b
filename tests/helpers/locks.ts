// Holding a table locked while a test looks at what a request does: anything that reads or writes
// it waits until the lock is released, so "answered while locked" proves "never touched it".
import { sql, type Kysely } from 'kysely'

/** Locks `table` (access exclusive) in a transaction of its own; resolves once the lock is held. */
export async function lockTable(db: Kysely<any>, table: string): Promise<{ release(): Promise<void> }> {
  let unlock!: () => void
  const unlocked = new Promise<void>((resolve) => (unlock = resolve))
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  const holder = db.transaction().execute(async (tx) => {
    await sql`lock table ${sql.table(table)} in access exclusive mode`.execute(tx)
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
