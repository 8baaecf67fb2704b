// A PostgreSQL client of its own for administrative statements (CREATE/DROP DATABASE), which must not
// run inside a transaction and should hold no pooled connection to the database they drop.
import pg from 'pg'

/** Connects to `url`, runs `fn` with the client, and closes it, whatever `fn` did. */
export async function withPgClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** One administrative statement (create or drop a database) on a connection of its own. */
export async function adminStatement(url: string, statement: string): Promise<void> {
  await withPgClient(url, (c) => c.query(statement))
}
