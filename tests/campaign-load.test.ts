// A hall of 300 people signing in to one 主题党日: arrivals spread over 10 s (three times the pace
// of a hall that signs in within 30 s), each request sent when its person arrives, whatever the
// others are waiting for. Every one is recorded once, the count is exact and points are awarded
// once each. Prints the latencies (not asserted: a shared machine's speed is not a test result).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, TEST_JWT_SECRET, type TestContext } from './helpers/app.js'
import { mintTokens } from './bench/tokens.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { sql } from 'kysely'
import { recordActivity } from '../server/modules/campaign/index.js'
import { withTransaction } from '../server/lib/transaction.js'

const PEOPLE = 300
/** Arrivals spread evenly over this long. */
const SPREAD_MS = 10_000
let t: TestContext

beforeAll(async () => {
  t = await createTestContext({ listen: true })
})
afterAll(async () => {
  await t?.close()
})

describe('300 people sign in to one activity', () => {
  it('records each once, exactly, and prints the latencies', async () => {
    const admin = await t.login(DEMO_ADMIN.username)
    const root = await t.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
    const org = (
      await t.http().post('/api/orgs').set(bearer(admin)).send({ name: '三百人会场测试支部', parentId: root.id, kind: 'branch' })
    ).body
    const hash = (
      await t.db.selectFrom('users').select('password_hash').where('username', '=', DEMO_ADMIN.username).executeTakeFirstOrThrow()
    ).password_hash
    const people = await t.db
      .insertInto('users')
      .values(
        Array.from({ length: PEOPLE }, (_, i) => ({
          username: `hall_${i}_${Date.now().toString(36)}`,
          name: `会场${i}`,
          password_hash: hash,
          role: 'member' as const,
          org_id: org.id,
          created_at: new Date(),
          updated_at: new Date(),
        })),
      )
      .returning('id')
      .execute()
    const tokens = await mintTokens(
      t.db,
      people.map((p) => p.id),
      TEST_JWT_SECRET,
    )
    const activity = (
      await t
        .http()
        .post('/api/activities')
        .set(bearer(admin))
        .send({ orgId: org.id, type: 'theme_day', title: '三百人主题党日', startsAt: new Date().toISOString() })
    ).body
    const { code } = (await t.http().post(`/api/activities/${activity.id}/checkin-code`).set(bearer(admin))).body

    const latencies: number[] = []
    const started = performance.now()
    const statuses = await Promise.all(
      [...tokens.values()].map(async (token, i) => {
        await new Promise((r) => setTimeout(r, (i * SPREAD_MS) / PEOPLE))
        const t0 = performance.now()
        const res = await fetch(`${t.baseUrl}/api/activities/checkin`, {
          method: 'POST',
          headers: { ...bearer(token), 'content-type': 'application/json' },
          body: JSON.stringify({ code }),
        })
        latencies.push(performance.now() - t0)
        return res.status
      }),
    )
    expect(statuses.filter((s) => s !== 200)).toEqual([])
    const total = performance.now() - started
    latencies.sort((a, b) => a - b)
    const p = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))])
    console.log(
      `${PEOPLE} sign-ins arriving over ${SPREAD_MS / 1000} s: all answered in ${Math.round(total)} ms; p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, max ${Math.round(latencies.at(-1)!)} ms`,
    )

    const after = (await t.http().get(`/api/activities/${activity.id}`).set(bearer(admin))).body
    expect(after).toMatchObject({ participants: PEOPLE, checkedIn: PEOPLE, attendance: PEOPLE })
    const points = await t.db
      .selectFrom('point_ledger')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('rule_code', '=', 'activity_checkin')
      .where(
        'user_id',
        'in',
        people.map((x) => x.id),
      )
      .executeTakeFirstOrThrow()
    expect(Number(points.n)).toBe(PEOPLE)
    // Speed is a benchmark's business, not a test's: the latencies are printed above, never asserted.
  })
})

describe('a contest of the whole province ends in the ledger', () => {
  it('records 17,000 players as one activity: more than one statement may carry parameters for', async () => {
    // Four parameters a participant and at most 65,535 in a statement: one insert stops at 16,383.
    const root = await t.db.selectFrom('orgs').select('id').where('parent_id', 'is', null).orderBy('id').executeTakeFirstOrThrow()
    const admin = await t.db.selectFrom('users').select('id').where('username', '=', DEMO_ADMIN.username).executeTakeFirstOrThrow()
    const { rows } = await sql<{ id: number }>`
      insert into users (username, name, role, org_id, password_hash, active)
      select 'contest_' || g, '竞答' || g, 'member', ${root.id}, 'x', true from generate_series(1, 17000) g
      returning id`.execute(t.db)
    const activity = await withTransaction(t.app.deps, (tx) =>
      recordActivity(tx, {
        orgId: root.id,
        type: 'contest',
        title: '全省现场竞答',
        startsAt: new Date(),
        endsAt: new Date(),
        createdBy: admin.id,
        participantIds: rows.map((r) => r.id),
      }),
    )
    const recorded = await t.db
      .selectFrom('activity_participants')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('activity_id', '=', activity.id)
      .executeTakeFirstOrThrow()
    expect(Number(recorded.n)).toBe(17_000)
  }, 120_000)
})
