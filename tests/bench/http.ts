// Closed-loop HTTP load with keep-alive connections (undici), for baselines and saturation steps.
import { Agent, request } from 'undici'
import { Samples } from './stats.js'

export interface LoadResult {
  requests: number
  errors: number
  seconds: number
  rps: number
  latency: { median: number | null; p99: number | null }
}

/** `connections` workers each send `make()` requests back to back for `seconds`. */
export async function closedLoop(
  origin: string,
  connections: number,
  seconds: number,
  make: (i: number) => { method: 'GET' | 'PUT' | 'POST'; path: string; body?: string; headers?: Record<string, string> },
): Promise<LoadResult> {
  const agent = new Agent({ connections, pipelining: 1, keepAliveTimeout: 10_000 })
  const samples = new Samples()
  let errors = 0
  let n = 0
  const end = Date.now() + seconds * 1000
  const start = Date.now()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        const req = make(n++)
        const t = performance.now()
        try {
          const res = await request(origin + req.path, {
            method: req.method,
            body: req.body,
            headers: { 'content-type': 'application/json', ...req.headers },
            dispatcher: agent,
          })
          await res.body.dump()
          if (res.statusCode >= 400) errors++
          else samples.add(performance.now() - t)
        } catch {
          errors++
        }
      }
    }),
  )
  const elapsed = (Date.now() - start) / 1000
  await agent.close()
  return {
    requests: samples.count,
    errors,
    seconds: elapsed,
    rps: Math.round(samples.count / elapsed),
    latency: { median: samples.summary().median, p99: samples.summary().p99 },
  }
}
