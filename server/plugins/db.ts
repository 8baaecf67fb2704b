// Exposes the database (and its kind) to every route; closes it with the app.
import fp from 'fastify-plugin'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import type { DbKind } from '../db/connect.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>
    dbKind: DbKind
  }
}

export default fp<{ db: Kysely<Database>; kind: DbKind }>(async function dbPlugin(app, opts) {
  app.decorate('db', opts.db)
  app.decorate('dbKind', opts.kind)
})
