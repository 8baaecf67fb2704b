// The yardsticks every figure is a ratio of, measured in the same run on the same machine
// (baseline-server.ts): a bare route, one pg upsert per request, and the batched-upsert ceiling.
import path from 'node:path'
import { closedLoop } from './http.js'
import type { BenchChildren } from './children.js'

/** Each baseline in the same closed loop of 64 keep-alive connections for 5 s (the upserts always on PostgreSQL). */
export async function measureBaselines(databaseUrl: URL, children: BenchChildren, log: (line: string) => void) {
  log('measuring baselines')
  const server = children.fork(path.join(import.meta.dirname, 'baseline-server.ts'), {
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl.toString() },
  })
  const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)))
  const origin = `http://127.0.0.1:${port}`
  const bare = await closedLoop(origin, 64, 5, () => ({ method: 'GET', path: '/bare' }))
  const upsert = await closedLoop(origin, 64, 5, (i) => ({
    method: 'PUT',
    path: `/upsert/k${i % 20000}`,
    body: JSON.stringify({ v: i % 2 === 0 }),
  }))
  const batched = await closedLoop(origin, 64, 5, (i) => ({
    method: 'PUT',
    path: `/batched/k${i % 20000}`,
    body: JSON.stringify({ v: i % 2 === 0 }),
  }))
  server.kill('SIGTERM')
  log(
    `bare ${bare.rps}/s; one upsert ${upsert.rps}/s p99 ${upsert.latency.p99} ms; batched ${batched.rps}/s p99 ${batched.latency.p99} ms` +
      (batched.errors ? ` (${batched.errors} errors)` : ''),
  )
  return { bare, upsert, batched }
}

export type Baselines = Awaited<ReturnType<typeof measureBaselines>>
