// A process keeps each session's state for at most 5 s: the bound on how long a session revoked
// elsewhere (another node, the database) still works here. From 3 s on, a request is still answered
// from the cache and sends a read for the ones after it, so a member saving every second never waits
// for that read — and what the read finds applies from then on, still inside the bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import type { RootOperationNode } from 'kysely'

/** Counts statements that read the sessions table, as the app sends them. */
let sessionReads = 0
const countSessionReads = (node: RootOperationNode) => {
  if (node.kind === 'SelectQueryNode' && JSON.stringify(node.from ?? {}).includes('"name":"sessions"')) sessionReads++
}

describe('session cache', () => {
  const clock = new ManualClock(new Date())
  let t: TestContext
  beforeAll(async () => {
    t = await createTestContext({ clock, observeQueries: countSessionReads })
  })
  afterAll(async () => {
    await t?.close()
  })

  const me = (token: string) => t.http().get('/api/me').set(bearer(token))
  /** The session's last_seen_at as the database holds it (ms since epoch). */
  const lastSeen = async (sid: string) =>
    new Date(
      (await t.db.selectFrom('sessions').select('last_seen_at').where('id', '=', sid).executeTakeFirstOrThrow()).last_seen_at!,
    ).getTime()

  /** A fresh session of dy0001, seen once by this process, then revoked in the database behind its back. */
  async function cachedThenRevoked(): Promise<string> {
    const { accessToken } = await t.tokens('dy0001')
    expect((await me(accessToken)).status).toBe(200)
    const { sid } = t.app.jwt.decode<{ sid: string }>(accessToken)!
    await t.db.updateTable('sessions').set({ revoked_at: clock.now() }).where('id', '=', sid).execute()
    return accessToken
  }

  it('answers from the cache, without reading, under 3 s', async () => {
    const token = await cachedThenRevoked()
    clock.advance(2_000)
    expect((await me(token)).status).toBe(200)
    // No read was sent for later requests either.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await me(token)).status).toBe(200)
  })

  it('from 3 s, answers from the cache and reads for the requests after it', async () => {
    const token = await cachedThenRevoked()
    clock.advance(3_500)
    expect((await me(token)).status).toBe(200)
    // Still under 5 s: the read that request sent found the revocation.
    await expect.poll(async () => (await me(token)).status, { timeout: 3_000, interval: 50 }).toBe(401)
  })

  it('never answers from an entry 5 s old', async () => {
    const token = await cachedThenRevoked()
    clock.advance(5_000)
    expect((await me(token)).status).toBe(401)
  })

  it('records activity for the idle limit without the request waiting for it', async () => {
    const { accessToken } = await t.tokens('dy0002')
    const { sid } = t.app.jwt.decode<{ sid: string }>(accessToken)!
    const anHourAgo = new Date(clock.now().getTime() - 3_600_000)
    await t.db.updateTable('sessions').set({ last_seen_at: anHourAgo }).where('id', '=', sid).execute()
    expect((await me(accessToken)).status).toBe(200)
    await expect.poll(() => lastSeen(sid), { timeout: 3_000, interval: 50 }).toBe(clock.now().getTime())
  })

  it('sends the refresh reads of sessions that turn stale together as one statement', async () => {
    const tokens: string[] = []
    for (const username of ['dy0003', 'dy0004', 'dy0005', 'dy0006']) tokens.push((await t.tokens(username)).accessToken)
    for (const token of tokens) expect((await t.app.inject({ url: '/api/me', headers: bearer(token) })).statusCode).toBe(200)
    clock.advance(3_500)
    sessionReads = 0
    // One after another, each in an event-loop turn of its own, as saves arrive on exam day.
    for (const token of tokens) {
      expect((await t.app.inject({ url: '/api/me', headers: bearer(token) })).statusCode).toBe(200)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await expect.poll(() => sessionReads, { timeout: 3_000, interval: 20 }).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, 300))
    // Gathered for a moment: one statement (two if a slow machine straddles the gathering window),
    // not one per request as when reads were sent at the end of each turn.
    expect(sessionReads).toBeLessThanOrEqual(2)
  })

  it('a refresh right behind a request counts its activity even before the touch is written', async () => {
    const { accessToken, refreshToken } = await t.tokens('dy0007')
    const { sid } = t.app.jwt.decode<{ sid: string }>(accessToken)!
    clock.advance(20 * 60_000)
    expect((await me(accessToken)).status).toBe(200)
    await expect.poll(() => lastSeen(sid), { timeout: 3_000, interval: 20 }).toBe(clock.now().getTime())
    // As if that write had not landed yet: the row still says the session was idle since login.
    await t.db.updateTable('sessions').set({ last_seen_at: null }).where('id', '=', sid).execute()
    clock.advance(20 * 60_000)
    const renewed = await t.http().post('/api/auth/refresh').send({ refreshToken })
    expect(renewed.status).toBe(200)
  })
})
