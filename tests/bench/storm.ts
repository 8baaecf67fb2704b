// The storm phase of the exam day: N real logins at once (real Argon2id), answered 503 BUSY +
// Retry-After when the server's hashing queue is full, retried as the web client does (wait
// Retry-After × (1 + random), at most 5 retries); then N refreshes at once with the refresh tokens
// those logins returned.
import { Pool, request } from 'undici'
import { PHONES_PER_ADDRESS, officeAddress } from './addresses.js'
import { Samples } from './stats.js'

export interface StormOutcome {
  requests: number
  /** First request sent → last answer received (ms since epoch): the window the takers' saves are judged in. */
  from: number
  to: number
  /** Per person, the first try to the final success, waits included: what she sees. */
  latency: Samples
  /** Per person, the first try to its first answer (a 503 comes back at once when the queue is full). */
  firstAnswer: Samples
  /** People told 503 at least once; of them, how many got in after waiting; 503 answers in all. */
  busy: number
  inAfterRetry: number
  busyAnswers: number
  failed: Record<string, number>
}

const MAX_RETRIES = 5 // as web/src/stores/auth.ts

async function storm<T>(
  base: string,
  n: number,
  send: (agent: Pool, i: number) => Promise<{ status: number; retryAfter: string | undefined; body: T | null }>,
): Promise<{ outcome: StormOutcome; bodies: (T | null)[] }> {
  // Each office's members from their office's address, each with a connection of their own (a Pool:
  // an Agent closes an origin's pool when a connection fails, failing the requests queued on it).
  const agents = new Map<string, Pool>()
  const agentOf = (i: number) => {
    const localAddress = officeAddress(i)
    let agent = agents.get(localAddress)
    if (!agent)
      agents.set(
        localAddress,
        (agent = new Pool(base, { connections: PHONES_PER_ADDRESS, pipelining: 1, keepAliveTimeout: 30_000, localAddress })),
      )
    return agent
  }
  const outcome: StormOutcome = {
    requests: n,
    from: Date.now(),
    to: 0,
    latency: new Samples(),
    firstAnswer: new Samples(),
    busy: 0,
    inAfterRetry: 0,
    busyAnswers: 0,
    failed: {},
  }
  const bodies: (T | null)[] = Array(n).fill(null)
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const t = performance.now()
      let wasBusy = false
      try {
        const agent = agentOf(i)
        let res = await send(agent, i)
        outcome.firstAnswer.add(performance.now() - t)
        for (let tries = 0; res.status === 503 && res.retryAfter && tries < MAX_RETRIES; tries++) {
          outcome.busyAnswers++
          wasBusy = true
          const seconds = Math.min(10, Number(res.retryAfter) || 2)
          await new Promise((r) => setTimeout(r, seconds * 1000 * (1 + Math.random())))
          res = await send(agent, i)
        }
        if (res.status === 503) outcome.busyAnswers++
        if (wasBusy) outcome.busy++
        if (res.status !== 200) {
          outcome.failed[String(res.status)] = (outcome.failed[String(res.status)] ?? 0) + 1
          return
        }
        if (wasBusy) outcome.inAfterRetry++
        outcome.latency.add(performance.now() - t)
        bodies[i] = res.body
      } catch (err) {
        const k = `exception ${(err as Error).message.slice(0, 60)}`
        outcome.failed[k] = (outcome.failed[k] ?? 0) + 1
      }
    }),
  )
  outcome.to = Date.now()
  await Promise.all([...agents.values()].map((a) => a.close()))
  return { outcome, bodies }
}

async function post<T>(agent: Pool, url: string, body: unknown) {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await res.body.json().catch(() => null)) as T | null
  const ra = res.headers['retry-after']
  return { status: res.statusCode, retryAfter: Array.isArray(ra) ? ra[0] : ra, body: json }
}

/** N logins at once; returns the refresh tokens of those that got in. */
export async function loginStorm(base: string, usernames: string[], password: string) {
  const { outcome, bodies } = await storm<{ refreshToken?: string }>(base, usernames.length, (agent, i) =>
    post(agent, `${base}/api/auth/login`, { username: usernames[i], password }),
  )
  return { outcome, refreshTokens: bodies.map((b) => b?.refreshToken).filter((t): t is string => !!t) }
}

/** N refreshes at once, one per refresh token. */
export async function refreshStorm(base: string, refreshTokens: string[]) {
  const { outcome } = await storm(base, refreshTokens.length, (agent, i) =>
    post(agent, `${base}/api/auth/refresh`, { refreshToken: refreshTokens[i] }),
  )
  return outcome
}
