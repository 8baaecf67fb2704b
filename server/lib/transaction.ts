// One owner per transaction. A service opens it through `withTransaction`; queries and helpers
// take the `tx` it hands them and never open their own, so a change, its audit row and its
// points commit together or not at all. Domain events raised inside are held and emitted only
// after the commit — never before it, never on a rollback — so a live board never shows what the
// database does not hold.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/types.js'
import type { DomainEventMap, DomainEvents } from './events.js'

export type Tx = Transaction<Database>
export type Emit = <K extends keyof DomainEventMap>(name: K, ...args: DomainEventMap[K]) => void

export interface TransactionDeps {
  db: Kysely<Database>
  events: DomainEvents
}

export async function withTransaction<T>(deps: TransactionDeps, work: (tx: Tx, emit: Emit) => Promise<T>): Promise<T> {
  const pending: { name: keyof DomainEventMap; args: unknown[] }[] = []
  const emit: Emit = (name, ...args) => {
    pending.push({ name, args })
  }
  const result = await deps.db.transaction().execute((tx) => work(tx, emit))
  for (const e of pending) (deps.events.emit as (name: string, ...args: unknown[]) => boolean)(e.name, ...e.args)
  return result
}
