// The SQL text of every statement the app sends through its shared pool, for tests that count what a
// request costs the database (pass `observe` as createTestContext's `observeQueries`).
import { createQueryId, PostgresQueryCompiler, type RootOperationNode } from 'kysely'

export function statementRecorder() {
  const compiler = new PostgresQueryCompiler()
  let seen: string[] = []
  return {
    observe: (node: RootOperationNode) => void seen.push(compiler.compileQuery(node, createQueryId()).sql),
    /** What was sent since the previous call (or since the start). */
    take() {
      const taken = seen
      seen = []
      return taken
    },
  }
}
