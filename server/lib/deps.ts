// What a service needs from the running app, passed as an argument rather than reached for through
// the Fastify instance: a service is a plain function `(deps, …)` that a test, a job or another
// node can call with the same four things. Fastify decorators remain for infrastructure only.
import type { FastifyBaseLogger } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import type { Clock } from './clock.js'
import type { DomainEvents } from './events.js'

export interface Deps {
  db: Kysely<Database>
  clock: Clock
  events: DomainEvents
  log: FastifyBaseLogger
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The service dependencies, made once in buildApp: `service(app.deps, …)` in a route. */
    deps: Deps
  }
}
