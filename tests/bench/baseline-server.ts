// The yardsticks measured in the same run: a bare Fastify JSON route, and a Fastify route doing one
// raw pg `INSERT … ON CONFLICT DO UPDATE` per request (pool 10), as in the reference figures.
import Fastify from 'fastify'
import pg from 'pg'

const url = process.env.BENCH_DATABASE_URL!
const pool = new pg.Pool({ connectionString: url, max: 10 })
await pool.query('create table if not exists bench_kv (k text primary key, v jsonb not null, at timestamptz not null)')

const app = Fastify({ logger: false })
app.get('/bare', async () => ({ ok: true }))
app.put<{ Params: { k: string }; Body: { v: unknown } }>('/upsert/:k', async (req) => {
  await pool.query(
    'insert into bench_kv (k, v, at) values ($1, $2, now()) on conflict (k) do update set v = excluded.v, at = excluded.at',
    [req.params.k, JSON.stringify(req.body?.v ?? null)],
  )
  return { savedAt: new Date().toISOString() }
})
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
const address = app.server.address()
process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
process.on('SIGTERM', async () => {
  await app.close()
  await pool.end()
  process.exit(0)
})
