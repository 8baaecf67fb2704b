// Login throttling, written as the attacks it must stop and the crowds it must let through:
// failures are counted per (account, client address) with backoff, and per address across accounts;
// nothing locks an account for its owner, and unknown and known accounts answer alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { DEMO_ADMIN, DEMO_PASSWORD, DEMO_TREE } from '../server/seed/demo.js'
import { ANY_ACCOUNT } from '../server/modules/auth/queries.js'
import { hashPool } from '../server/lib/passwords.js'
import { lockTable } from './helpers/locks.js'

let t: TestContext
beforeAll(async () => {
  t = await createTestContext({ trustProxy: true })
})
afterAll(async () => {
  await t?.close()
})

const loginFrom = (ctx: TestContext, ip: string, username: string, password: string) =>
  ctx.http().post('/api/auth/login').set('X-Forwarded-For', ip).send({ username, password })

/** Runs `task` over `items`, at most `limit` at a time (Argon2 costs ~20 ms per login). */
async function inBatches<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < items.length; i += limit) out.push(...(await Promise.all(items.slice(i, i + limit).map(task))))
  return out
}

const answerOf = (res: { status: number; body: any }) => ({
  status: res.status,
  code: res.body.error?.code,
  message: res.body.error?.message,
})

describe('a stranger guessing the admin password', () => {
  it('is throttled with 429 and Retry-After, while the admin from another address logs in', async () => {
    const statuses: number[] = []
    let last: Awaited<ReturnType<typeof loginFrom>> | undefined
    for (let i = 0; i < 30; i++) {
      last = await loginFrom(t, '10.0.0.66', 'admin', `guess-${i}`)
      statuses.push(last.status)
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]))
    expect(last!.body.error.code).toBe('RATE_LIMITED')
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0)

    // Even the right password waits from the stranger's address …
    expect((await loginFrom(t, '10.0.0.66', 'admin', DEMO_ADMIN.password)).status).toBe(429)
    // … but the owner elsewhere is not locked out.
    const owner = await loginFrom(t, '10.0.0.1', 'admin', DEMO_ADMIN.password)
    expect(owner.status).toBe(200)
    expect(owner.body.user.username).toBe('admin')
  })

  it('gets the same answers for an unknown username as for a known one, wrong and throttled', async () => {
    const known: ReturnType<typeof answerOf>[] = []
    const unknown: ReturnType<typeof answerOf>[] = []
    for (let i = 0; i < 6; i++) {
      known.push(answerOf(await loginFrom(t, '10.0.1.1', 'dy0005', 'wrong-password')))
      unknown.push(answerOf(await loginFrom(t, '10.0.1.1', 'no-such-person', 'wrong-password')))
    }
    expect(known).toEqual(unknown)
    expect(known[0]).toEqual({ status: 401, code: 'UNAUTHORIZED', message: '用户名或密码错误' })
    expect(known[5]).toMatchObject({ status: 429, code: 'RATE_LIMITED' })
    const throttledUnknown = await loginFrom(t, '10.0.1.1', 'no-such-person', 'wrong-password')
    expect(throttledUnknown.headers['retry-after']).toBeDefined()
  })

  it("counts '  ＡＤＭＩＮ' and 'admin' on one key; full-width input still logs in", async () => {
    for (let i = 0; i < 3; i++) expect((await loginFrom(t, '10.0.2.1', 'admin', 'wrong-password')).status).toBe(401)
    for (let i = 0; i < 2; i++) expect((await loginFrom(t, '10.0.2.1', '  ＡＤＭＩＮ', 'wrong-password')).status).toBe(401)
    expect((await loginFrom(t, '10.0.2.1', 'Admin', DEMO_ADMIN.password)).status).toBe(429)
    expect((await loginFrom(t, '10.0.2.1', 'admin', DEMO_ADMIN.password)).status).toBe(429)
    // Full-width letters typed with a Chinese input method are the same username after NFKC.
    expect((await loginFrom(t, '10.0.2.2', ' ａｄｍｉｎ ', DEMO_ADMIN.password)).status).toBe(200)
  })
})

describe('an office behind one NAT address', () => {
  it('logs 150 people in from one address, typos among them, and nobody is limited', async () => {
    // Every demo member (dy0001…dy0129) and secretary, and a few on a second device: 150 logins.
    const members = Array.from({ length: 129 }, (_, i) => `dy${String(i + 1).padStart(4, '0')}`)
    const accounts = [...members, ...collectSecretaries(DEMO_TREE)]
    const people = [...accounts, ...accounts.slice(0, 150 - accounts.length)]
    expect(people).toHaveLength(150)
    // A typo first for every tenth person: the address's failures stay far below its limit.
    const typos = await inBatches(
      people.filter((_, i) => i % 10 === 0),
      8,
      (u) => loginFrom(t, '10.0.3.1', u, 'Demo@2025'),
    )
    expect(typos.every((r) => r.status === 401)).toBe(true)
    const results = await inBatches(people, 8, (u) => loginFrom(t, '10.0.3.1', u, DEMO_PASSWORD))
    const refused = results.map((r, i) => ({ user: people[i], status: r.status })).filter((r) => r.status !== 200)
    expect(refused).toEqual([])
  }, 60_000)
})

describe('password spraying from one address', () => {
  it('is stopped after 300 failures across accounts; other addresses are unaffected', async () => {
    const sprayed = Array.from({ length: 300 }, (_, i) => `spray${i}`)
    const answers = await inBatches(sprayed, 10, (u) => loginFrom(t, '10.0.4.1', u, 'Password1'))
    expect(answers.every((r) => r.status === 401)).toBe(true)
    const blocked = await loginFrom(t, '10.0.4.1', 'dy0100', 'Password1')
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.code).toBe('RATE_LIMITED')
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0)
    expect((await loginFrom(t, '10.0.4.2', 'dy0100', DEMO_PASSWORD)).status).toBe(200)
  }, 60_000)
})

describe('a flood from an address already blocked for spraying', () => {
  it('is refused at the door: no hashing places taken, nothing read, and others still log in', async () => {
    // The address's row as 300 failures leave it (the test above sprays them for real).
    const now = t.clock.now()
    await t.db
      .insertInto('login_failures')
      .values({
        username_key: ANY_ACCOUNT,
        ip: '10.0.5.1',
        failures: 300,
        first_failed_at: now,
        blocked_until: new Date(now.getTime() + 10 * 60_000),
        updated_at: now,
      })
      .execute()
    const from = (ip: string, username: string, password = 'Password1') =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-forwarded-for': ip }, payload: { username, password } })
    // The first request reads the block, as each node's first does.
    expect((await from('10.0.5.1', 'spray-a')).statusCode).toBe(429)

    // With the throttle table locked, anything that reads it waits: the flood must not.
    const lock = await lockTable(t.db, 'login_failures')
    const statuses: number[] = []
    const flood = Array.from({ length: 200 }, (_, i) => from('10.0.5.1', `spray-flood-${i}`).then((res) => statuses.push(res.statusCode)))
    // Places in the hashing queue held while the flood is answered (each would keep a real login out).
    let placesHeld = 0
    try {
      await expect
        .poll(
          () => {
            const { active, waiting, admitted } = hashPool.stats
            placesHeld = Math.max(placesHeld, active + waiting + admitted)
            return statuses.length
          },
          { timeout: 5_000, interval: 10 },
        )
        .toBe(200)
    } finally {
      await lock.release()
      await Promise.all(flood)
    }
    expect(new Set(statuses)).toEqual(new Set([429]))
    expect(placesHeld).toBe(0)
    // Someone else is not turned away as if a storm were on.
    expect((await from('10.0.5.2', 'dy0101', DEMO_PASSWORD)).statusCode).toBe(200)
  })
})

describe('backoff', () => {
  let c: TestContext
  const clock = new ManualClock()
  beforeAll(async () => {
    c = await createTestContext({ trustProxy: true, clock })
  })
  afterAll(async () => {
    await c?.close()
  })

  it('doubles the wait with each further failure, allows one try after it, and a success forgets it', async () => {
    for (let i = 0; i < 5; i++) expect((await loginFrom(c, '10.0.5.1', 'dy0010', 'wrong-password')).status).toBe(401)
    const first = await loginFrom(c, '10.0.5.1', 'dy0010', DEMO_PASSWORD)
    expect(first.status).toBe(429)
    expect(Number(first.headers['retry-after'])).toBe(60)

    clock.advance(61_000)
    expect((await loginFrom(c, '10.0.5.1', 'dy0010', 'wrong-password')).status).toBe(401)
    const second = await loginFrom(c, '10.0.5.1', 'dy0010', DEMO_PASSWORD)
    expect(second.status).toBe(429)
    expect(Number(second.headers['retry-after'])).toBe(120)

    clock.advance(121_000)
    expect((await loginFrom(c, '10.0.5.1', 'dy0010', DEMO_PASSWORD)).status).toBe(200)
    // Forgotten: five fresh failures are free again.
    for (let i = 0; i < 4; i++) expect((await loginFrom(c, '10.0.5.1', 'dy0010', 'wrong-password')).status).toBe(401)
    expect((await loginFrom(c, '10.0.5.1', 'dy0010', DEMO_PASSWORD)).status).toBe(200)
  })

  it('keeps its state in the database, shared by every node', async () => {
    for (let i = 0; i < 5; i++) await loginFrom(c, '10.0.6.1', 'dy0011', 'wrong-password')
    const row = await c.db
      .selectFrom('login_failures')
      .selectAll()
      .where('username_key', '=', 'dy0011')
      .where('ip', '=', '10.0.6.1')
      .executeTakeFirst()
    expect(row).toMatchObject({ failures: 5 })
    expect(row!.blocked_until).not.toBeNull()
  })
})

function collectSecretaries(node: { secretary?: string; children?: any[] }): string[] {
  return [...(node.secretary ? [node.secretary] : []), ...(node.children ?? []).flatMap(collectSecretaries)]
}
