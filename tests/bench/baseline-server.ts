// The yardsticks measured in the same run, all in one Fastify process on the same PostgreSQL:
// - `GET /bare`: a bare JSON route;
// - `PUT /upsert/:k`: one raw pg `INSERT … ON CONFLICT DO UPDATE` per request (pool 10), as in the
//   issue's reference figures;
// - `PUT /batched/:k`: group commit in its plainest form — requests arriving within 2 ms (at most
//   500) are written by ONE multi-row `INSERT … ON CONFLICT DO UPDATE`, each acknowledged after that
//   statement committed. Groups are written side by side up to the pool's 10 connections. No attempt
//   check, no locks, no counters: the ceiling a group commit can reach on this machine.
import Fastify from 'fastify'
import pg from 'pg'

const url = process.env.BENCH_DATABASE_URL!
const pool = new pg.Pool({ connectionString: url, max: 10 })
await pool.query('create table if not exists bench_kv (k text primary key, v jsonb not null, at timestamptz not null)')

const BATCH_DELAY_MS = 2
const BATCH_MAX = 500
interface Pending {
  k: string
  v: string
  done(err?: unknown): void
}
let group: Pending[] = []
let timer: ReturnType<typeof setTimeout> | null = null

function flush() {
  if (timer) clearTimeout(timer)
  timer = null
  const batch = group
  group = []
  if (!batch.length) return
  // One row per key (the later save wins): ON CONFLICT DO UPDATE cannot touch a row twice.
  const latest = new Map(batch.map((p) => [p.k, p.v]))
  pool
    .query(
      `insert into bench_kv (k, v, at) select k, v, now() from unnest($1::text[], $2::jsonb[]) as t(k, v)
       on conflict (k) do update set v = excluded.v, at = excluded.at`,
      [[...latest.keys()], [...latest.values()]],
    )
    .then(
      () => batch.forEach((p) => p.done()),
      (err) => batch.forEach((p) => p.done(err)),
    )
}

const app = Fastify({ logger: false })
app.get('/bare', async () => ({ ok: true }))
app.put<{ Params: { k: string }; Body: { v: unknown } }>('/upsert/:k', async (req) => {
  await pool.query(
    'insert into bench_kv (k, v, at) values ($1, $2, now()) on conflict (k) do update set v = excluded.v, at = excluded.at',
    [req.params.k, JSON.stringify(req.body?.v ?? null)],
  )
  return { savedAt: new Date().toISOString() }
})
app.put<{ Params: { k: string }; Body: { v: unknown } }>('/batched/:k', async (req) => {
  await new Promise<void>((resolve, reject) => {
    group.push({ k: req.params.k, v: JSON.stringify(req.body?.v ?? null), done: (err) => (err ? reject(err) : resolve()) })
    if (group.length >= BATCH_MAX) flush()
    else timer ??= setTimeout(flush, BATCH_DELAY_MS)
  })
  return { savedAt: new Date().toISOString() }
})
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
const address = app.server.address()
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
process.on('SIGTERM', async () => {
  await app.close()
  flush()
  await pool.end()
  process.exit(0)
})
