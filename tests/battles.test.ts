// 双人对战 and 四人赛 with real socket.io clients: matching, rounds timed by the server, scoring
// (correctness first, then speed), points by the rules of record (idempotent, capped), drops and
// returns, forfeits, and the attacks (another battle, forged ids, flooding, early keys).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { connect, until, type ClientSocket } from './helpers/sockets.js'
import { keyFor, keysSentEarly, recordAll, wrongFor, type Received } from './helpers/live-games.js'
import { battleRuntimeOf } from '../server/modules/battles/index.js'
import { finishBattle } from '../server/modules/battles/service.js'
import { battleRoundScore } from '../server/modules/battles/scoring.js'
import type { BattleMode } from '../server/realtime/events-map.js'

let t: TestContext
const sockets: ClientSocket[] = []
const ROUNDS = 3
const ROUND_MS = 2_000

interface Player {
  username: string
  userId: number
  socket: ClientSocket
  log: Received[]
}
async function player(username: string): Promise<Player> {
  const socket = await connect(t.baseUrl, await t.login(username))
  sockets.push(socket)
  const { id } = await t.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()
  return { username, userId: id, socket, log: recordAll(socket) }
}
const join = (p: Player, mode: BattleMode, extra: object = {}) =>
  p.socket.timeout(3000).emitWithAck('battle:join', { mode, ...extra } as any)
const events = (p: Player, name: string) => p.log.filter((e) => e.event === name)

type Strategy = 'right' | 'wrong' | 'none' | ((index: number) => 'right' | 'wrong' | 'none')
/** Answers every question this player is asked, by strategy. */
function autoplay(p: Player, strategy: Strategy) {
  const acks: unknown[] = []
  p.socket.on('battle:question', async (e) => {
    const how = typeof strategy === 'function' ? strategy(e.index) : strategy
    if (how === 'none') return
    const answer = how === 'right' ? await keyFor(t.db, e.question) : await wrongFor(t.db, e.question)
    acks.push(await p.socket.timeout(3000).emitWithAck('battle:answer', { battleId: e.battleId, index: e.index, answer }))
  })
  return acks
}
const ended = (p: Player) => until(() => events(p, 'battle:end')[0]?.payload, 15_000)

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  const runtime = battleRuntimeOf(t.app)!
  Object.assign(runtime.timing, {
    rounds: ROUNDS,
    roundMs: ROUND_MS,
    revealMs: 150,
    startDelayMs: 150,
    graceMs: 1_200,
    matchWaitMs: 1_200,
    inviteWaitMs: 3_000,
  })
  runtime.timing.reading = { baseMs: 0, perCharMs: 0, capMs: 0 }
})
afterAll(async () => {
  sockets.forEach((s) => s.close())
  await t?.close()
})

describe('双人对战', () => {
  it('matches two players, plays every round, ranks correctness first and awards the first game of the day', async () => {
    const a = await player('dy0001')
    const b = await player('dy0002')
    const aAcks = autoplay(a, 'right')
    autoplay(b, 'wrong')
    expect(await join(a, 'duel')).toEqual({ ok: true, queued: true })
    expect(await join(b, 'duel')).toEqual({ ok: true, queued: true })
    const matched = await until(() => events(a, 'battle:matched')[0]?.payload)
    expect(matched.players.map((p: any) => p.userId).sort()).toEqual([a.userId, b.userId].sort())
    const end = await ended(a)
    expect(aAcks).toEqual(Array(ROUNDS).fill({ ok: true }))

    expect(events(a, 'battle:question')).toHaveLength(ROUNDS)
    expect(events(a, 'battle:round')).toHaveLength(ROUNDS)
    const mine = end.ranking.find((r: any) => r.userId === a.userId)
    const theirs = end.ranking.find((r: any) => r.userId === b.userId)
    expect(mine.rank).toBe(1)
    expect(theirs).toMatchObject({ rank: 2, score: 0 })
    // Right and fast: 100 plus a speed part each round; the speed parts of a battle stay under 100.
    expect(mine.score).toBeGreaterThan(100 * ROUNDS)
    expect(mine.score).toBeLessThan(100 * ROUNDS + 100)
    expect(end.pointsEarned).toBe(2)
    expect((await ended(b)).pointsEarned).toBe(1)

    // No key in anything either player received before its round closed.
    expect(keysSentEarly(a.log, 'battle:round')).toEqual([])
    expect(keysSentEarly(b.log, 'battle:round')).toEqual([])
    // Each round's key is the one the test knows, in the letters the players were shown.
    for (const q of events(a, 'battle:question')) {
      const round = events(a, 'battle:round').find((r) => r.payload.index === q.payload.index)!
      expect(round.payload.correctAnswer).toEqual(await keyFor(t.db, q.payload.question))
      expect(round.at).toBeGreaterThanOrEqual(q.at)
    }

    const ledger = await t.db
      .selectFrom('point_ledger')
      .select(['user_id', 'points', 'idem_key'])
      .where('rule_code', '=', 'battle_duel')
      .execute()
    expect(ledger.sort((x, y) => y.points - x.points)).toEqual([
      { user_id: a.userId, points: 2, idem_key: expect.stringMatching(/^battle_duel:\d{4}-\d\d-\d\d:g1$/) },
      { user_id: b.userId, points: 1, idem_key: expect.stringMatching(/:g1$/) },
    ])
    const stored = await t.db.selectFrom('battle_players').selectAll().where('battle_id', '=', end.battleId).execute()
    expect(stored.map((s) => [s.user_id, s.rank, s.points]).sort()).toEqual(
      [
        [a.userId, 1, 2],
        [b.userId, 2, 1],
      ].sort(),
    )
    expect(await t.db.selectFrom('battle_answers').select('idx').where('battle_id', '=', end.battleId).execute()).toHaveLength(2 * ROUNDS)

    // A second duel the same day earns nothing (only the first game counts), and the page says so.
    a.log.length = 0
    b.log.length = 0
    await join(a, 'duel')
    await join(b, 'duel')
    expect((await ended(a)).pointsEarned).toBe(0)
    expect((await ended(b)).pointsEarned).toBe(0)
    const today = (
      await t
        .http()
        .get('/api/battles/today')
        .set(bearer(await t.login('dy0001')))
    ).body
    expect(today.rules.find((r: any) => r.mode === 'duel')).toMatchObject({ earnedToday: 2, dailyCap: 2, games: 2, wins: 2 })
  })

  it('finishing the same battle again awards nothing twice', async () => {
    const [row] = await t.db.selectFrom('battles').select('id').where('mode', '=', 'duel').orderBy('id').limit(1).execute()
    const players = await t.db.selectFrom('battle_players').selectAll().where('battle_id', '=', row.id).execute()
    const again = await finishBattle(t.app.deps, {
      id: row.id,
      mode: 'duel',
      seats: players.map((p) => ({
        userId: p.user_id,
        name: 'x',
        orgId: p.org_id,
        score: p.score,
        correct: p.correct,
        forfeited: false,
        answers: [],
      })),
    })
    expect([...again.points.values()]).toEqual([0, 0])
    const ledger = await t.db.selectFrom('point_ledger').select('points').where('rule_code', '=', 'battle_duel').execute()
    expect(ledger.reduce((s, r) => s + r.points, 0)).toBe(3)
  })

  it('scores correctness first: a right answer always outweighs any speed', () => {
    const slowRight = battleRoundScore({ correct: true, tooFast: false, elapsedMs: ROUND_MS - 1 }, ROUND_MS, 5)
    const fastRight = battleRoundScore({ correct: true, tooFast: false, elapsedMs: 1 }, ROUND_MS, 5)
    expect(slowRight).toBe(100)
    expect(fastRight).toBe(119)
    expect(5 * slowRight).toBeGreaterThan(4 * fastRight)
    expect(battleRoundScore({ correct: false, tooFast: false, elapsedMs: 1 }, ROUND_MS, 5)).toBe(0)
  })

  it('tells a lonely player that nobody is free, and takes her out of the queue', async () => {
    const a = await player('dy0003')
    await join(a, 'duel', { scope: 'branch' })
    const unmatched = await until(() => events(a, 'battle:unmatched')[0]?.payload, 5000)
    expect(unmatched).toMatchObject({ mode: 'duel', message: expect.stringContaining('没有') })
    expect(battleRuntimeOf(t.app)!.stats().waiting).toBe(0)
  })

  it('plays a colleague invited by link', async () => {
    const a = await player('dy0004')
    const b = await player('dy0005')
    autoplay(a, 'right')
    autoplay(b, 'right')
    const invite = await a.socket.timeout(3000).emitWithAck('battle:invite', { mode: 'duel', userId: b.userId })
    expect(invite).toMatchObject({ ok: true, code: expect.any(String) })
    const told = await until(() => events(b, 'battle:invited')[0]?.payload)
    expect(told).toMatchObject({ code: (invite as any).code, mode: 'duel', from: { userId: a.userId } })
    expect(await join(b, 'duel', { invite: told.code })).toEqual({ ok: true, queued: true })
    const end = await ended(a)
    // Both right: a draw or a win by speed; either way both played to the end.
    expect(end.ranking).toHaveLength(2)
    expect(await join(b, 'duel', { invite: 'no-such-code' })).toMatchObject({ ok: false, error: expect.stringContaining('邀请') })
  })
})

describe('四人赛', () => {
  it('matches four, ranks them, and awards 3/2/2/1 then 2/1/1/1 within the daily cap of 5', async () => {
    const ps = await Promise.all(['dy0010', 'dy0011', 'dy0012', 'dy0013'].map(player))
    // Player i answers the first (3 - i) questions right: four different totals.
    ps.forEach((p, i) => autoplay(p, (index) => (index < ROUNDS - i ? 'right' : 'wrong')))
    for (const p of ps) await join(p, 'four')
    const first = await Promise.all(ps.map(ended))
    expect(first.map((e) => e.ranking.find((r: any) => r.userId === ps[first.indexOf(e)].userId).rank)).toEqual([1, 2, 3, 4])
    expect(first.map((e) => e.pointsEarned)).toEqual([3, 2, 2, 1])
    for (const p of ps) expect(keysSentEarly(p.log, 'battle:round')).toEqual([])

    ps.forEach((p) => (p.log.length = 0))
    for (const p of ps) await join(p, 'four')
    expect((await Promise.all(ps.map(ended))).map((e) => e.pointsEarned)).toEqual([2, 1, 1, 1])
    ps.forEach((p) => (p.log.length = 0))
    for (const p of ps) await join(p, 'four')
    expect((await Promise.all(ps.map(ended))).map((e) => e.pointsEarned)).toEqual([0, 0, 0, 0])
    const earned = await t.db.selectFrom('point_ledger').select(['user_id', 'points']).where('rule_code', '=', 'battle_four').execute()
    const total = (u: number) => earned.filter((r) => r.user_id === u).reduce((s, r) => s + r.points, 0)
    expect(ps.map((p) => total(p.userId))).toEqual([5, 3, 3, 2])
  })
})

describe('drops, returns and forfeits', () => {
  it('a player who drops and comes back within the grace period gets battle:state and plays on', async () => {
    const a = await player('dy0020')
    const b = await player('dy0021')
    autoplay(a, 'right')
    await join(a, 'duel')
    await join(b, 'duel')
    const q0 = await until(() => events(b, 'battle:question')[0]?.payload)
    b.socket.close()
    await until(() => events(a, 'battle:player').find((e) => e.payload.userId === b.userId && e.payload.status === 'away'))

    const back = await player('dy0021')
    // The server seats her again on connect; asking explicitly (after a reload) answers the same.
    expect(await back.socket.timeout(3000).emitWithAck('battle:resume', { battleId: q0.battleId })).toEqual({ ok: true })
    const state = await until(() => events(back, 'battle:state')[0]?.payload)
    expect(state).toMatchObject({ battleId: q0.battleId, mode: 'duel', total: ROUNDS })
    expect(keysSentEarly(back.log, 'battle:round')).toEqual([])
    autoplay(back, 'right')
    if (state.phase === 'question' && !state.answered) {
      expect(
        await back.socket
          .timeout(3000)
          .emitWithAck('battle:answer', { battleId: state.battleId, index: state.index, answer: await keyFor(t.db, state.question) }),
      ).toEqual({ ok: true })
    }
    const end = await ended(back)
    expect(end.ranking.find((r: any) => r.userId === b.userId).forfeited).toBe(false)
    expect(events(a, 'battle:player').some((e) => e.payload.status === 'back')).toBe(true)
  })

  it('a player who stays away past the grace period forfeits; the other wins', async () => {
    const a = await player('dy0022')
    const b = await player('dy0023')
    await join(a, 'duel')
    await join(b, 'duel')
    await until(() => events(b, 'battle:matched')[0])
    const dropped = Date.now()
    b.socket.close()
    // Nobody answers: the battle would run ROUNDS × ROUND_MS; the forfeit ends it after the grace period.
    await until(() => events(a, 'battle:player').find((e) => e.payload.status === 'forfeited'), 5000)
    const end = await ended(a)
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(1_100)
    expect(Date.now() - dropped).toBeLessThan(ROUNDS * ROUND_MS)
    expect(end.ranking[0]).toMatchObject({ userId: a.userId, rank: 1, forfeited: false })
    expect(end.ranking[1]).toMatchObject({ userId: b.userId, rank: 2, forfeited: true })
    expect(end.pointsEarned).toBe(2)
    const forfeiter = await t.db
      .selectFrom('battle_players')
      .select(['forfeited', 'points'])
      .where('battle_id', '=', end.battleId)
      .where('user_id', '=', b.userId)
      .executeTakeFirstOrThrow()
    expect(forfeiter).toEqual({ forfeited: true, points: 0 })
  })

  it('leaving (battle:leave) forfeits at once', async () => {
    // With a grace period far longer than the wait for the end, only the leave itself can end it:
    // no wall-clock bound in the test (a loaded machine would make one flaky).
    const runtime = battleRuntimeOf(t.app)!
    const graceMs = runtime.timing.graceMs
    runtime.timing.graceMs = 10 * 60_000
    try {
      const a = await player('dy0024')
      const b = await player('dy0025')
      await join(a, 'duel')
      await join(b, 'duel')
      await until(() => events(b, 'battle:question')[0])
      expect(await b.socket.timeout(3000).emitWithAck('battle:leave', {})).toEqual({ ok: true })
      const end = await ended(a)
      expect(end.ranking.find((r: any) => r.userId === b.userId).forfeited).toBe(true)
      expect(events(b, 'battle:end')).toEqual([])
    } finally {
      runtime.timing.graceMs = graceMs
    }
  })
})

describe('attacks', () => {
  it('refuses answers for another battle, forged battle ids, late and repeated answers; outsiders see nothing', async () => {
    const a = await player('dy0030')
    const b = await player('dy0031')
    const c = await player('dy0032')
    await join(a, 'duel')
    await join(b, 'duel')
    const q = await until(() => events(a, 'battle:question')[0]?.payload)
    const answer = await keyFor(t.db, q.question)
    const notYours = { ok: false, error: '对战不存在或你不在其中' }
    expect(await c.socket.timeout(3000).emitWithAck('battle:answer', { battleId: q.battleId, index: 0, answer })).toEqual(notYours)
    expect(await c.socket.timeout(3000).emitWithAck('battle:answer', { battleId: 999999, index: 0, answer })).toEqual(notYours)
    expect(await c.socket.timeout(3000).emitWithAck('battle:resume', { battleId: q.battleId })).toEqual(notYours)
    expect(await a.socket.timeout(3000).emitWithAck('battle:answer', { battleId: q.battleId, index: 1, answer })).toMatchObject({
      ok: false,
      error: '本题已结束',
    })
    expect(await a.socket.timeout(3000).emitWithAck('battle:answer', { battleId: q.battleId, index: 0, answer: 'Z' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('answer'),
    })
    expect(await a.socket.timeout(3000).emitWithAck('battle:answer', { battleId: q.battleId, index: 0, answer })).toEqual({ ok: true })
    expect(await a.socket.timeout(3000).emitWithAck('battle:answer', { battleId: q.battleId, index: 0, answer })).toMatchObject({
      ok: false,
      error: '本题已作答',
    })
    expect(await a.socket.timeout(3000).emitWithAck('battle:answer', { battleId: 'x', index: 0, answer } as any)).toMatchObject({
      ok: false,
    })
    // The round closes on time without b; an answer after it is refused.
    await until(() => events(a, 'battle:round')[0], 5000)
    expect(await b.socket.timeout(3000).emitWithAck('battle:answer', { battleId: q.battleId, index: 0, answer })).toMatchObject({
      ok: false,
      error: '本题已结束',
    })
    await b.socket.timeout(3000).emitWithAck('battle:leave', {})
    await ended(a)
    expect(c.log.filter((e) => e.event.startsWith('battle:'))).toEqual([])
    expect(await c.socket.timeout(3000).emitWithAck('battle:join', { mode: 'eight' } as any)).toMatchObject({
      ok: false,
      error: expect.stringContaining('mode'),
    })
  })

  it('floods are refused before any handler runs, and a flooding socket is cut off', async () => {
    const a = await player('dy0033')
    const joins = await Promise.all(Array.from({ length: 10 }, () => join(a, 'duel', { scope: 'branch' })))
    expect(joins.filter((r: any) => r.ok).length).toBeLessThanOrEqual(6)
    expect(joins.some((r: any) => !r.ok && r.error.includes('频繁'))).toBe(true)
    a.socket.emit('battle:leave', {})

    const f = await player('dy0034')
    const replies: any[] = []
    for (let i = 0; i < 120; i++) f.socket.emit('battle:answer', { battleId: 1, index: 0, answer: true }, (r: any) => replies.push(r))
    await until(() => f.socket.disconnected || replies.length >= 120, 5000)
    expect(replies.some((r) => r.error === '请求过于频繁，请稍后再试')).toBe(true)
    await until(() => f.socket.disconnected, 5000)
  })

  it('flags answers faster than a person can read: they count, but earn no speed part', async () => {
    const runtime = battleRuntimeOf(t.app)!
    runtime.timing.reading = { baseMs: 60_000, perCharMs: 0, capMs: 60_000 }
    try {
      const a = await player('dy0006')
      const b = await player('dy0007')
      autoplay(a, 'right')
      autoplay(b, 'wrong')
      await join(a, 'duel')
      await join(b, 'duel')
      const end = await ended(a)
      expect(end.ranking.find((r: any) => r.userId === a.userId).score).toBe(100 * ROUNDS)
      const flagged = await t.db.selectFrom('battle_answers').select('too_fast').where('battle_id', '=', end.battleId).execute()
      expect(flagged.every((r) => r.too_fast)).toBe(true)
      const flags = (
        await t
          .http()
          .get('/api/battles/flags')
          .set(bearer(await t.login('sj_bgs')))
      ).body
      expect(flags.find((f: any) => f.userId === a.userId)).toMatchObject({ tooFast: ROUNDS, battles: 1 })
    } finally {
      runtime.timing.reading = { baseMs: 0, perCharMs: 0, capMs: 0 }
    }
  })
})
