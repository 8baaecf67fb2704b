// Live games across processes: two nodes sharing the database and Redis, as two cluster workers or
// two machines would. Only one of them is the games home; players connected to the other are still
// matched, play, are scored and get their points, a hall screen on one node runs a contest whose
// phones are on the other, a contest cancelled over HTTP on the node that is not home stops on the
// home, and when the home closes the other node takes over.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { battleRuntimeOf } from '../server/modules/battles/index.js'
import { contestRuntimeOf } from '../server/modules/contests/index.js'
import { gamesHomeOf } from '../server/realtime/games-home.js'
import { SOCKET_LIMITS } from '../server/realtime/flood-guard.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { baseUrlOf, bearer, createTestContext, listeningRedisNode, type TestContext } from './helpers/app.js'
import { keyFor, recordAll, wrongFor, type Received } from './helpers/live-games.js'
import { connect, until, type ClientSocket } from './helpers/sockets.js'

let t: TestContext
const sockets: ClientSocket[] = []
const nodes: FastifyInstance[] = []
const redisKey = `xuece-games-${process.pid}-${Date.now()}`
const ROUNDS = 3

async function node(): Promise<FastifyInstance> {
  const app = await listeningRedisNode(t, redisKey)
  gamesHomeOf(app)!.pollMs = 100
  Object.assign(battleRuntimeOf(app)!.timing, { rounds: ROUNDS, roundMs: 2_000, revealMs: 100, startDelayMs: 100 })
  battleRuntimeOf(app)!.timing.reading = { baseMs: 0, perCharMs: 0, capMs: 0 }
  contestRuntimeOf(app)!.timing.secondMs = 150
  contestRuntimeOf(app)!.timing.reading = { baseMs: 0, perCharMs: 0, capMs: 0 }
  nodes.push(app)
  return app
}

interface Client {
  socket: ClientSocket
  userId: number
  log: Received[]
}
async function client(on: FastifyInstance, username: string): Promise<Client> {
  const token = await t.login(username)
  const socket = await connect(baseUrlOf(on), token)
  sockets.push(socket)
  const { id } = await t.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirstOrThrow()
  return { socket, userId: id, log: recordAll(socket) }
}
const seen = (c: Client, event: string) => c.log.filter((e) => e.event === event)
const ack = (c: Client, event: string, payload: object) =>
  c.socket.timeout(8_000).emitWithAck(event as 'contest:join', payload as any) as Promise<any>

/** A contest of 厅机关党委 the admin makes, two questions drawn from the bank. */
async function adminContest(title: string, secondsPerQuestion: number) {
  const admin = await t.login(DEMO_ADMIN.username)
  const orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body as { id: number; name: string }[]
  const orgId = orgs.find((o) => o.name === '厅机关党委')!.id
  const res = await t
    .http()
    .post('/api/contests')
    .set(bearer(admin))
    .send({ title, orgId, questionIds: [], draw: { count: 2 }, secondsPerQuestion })
  return { admin, created: res.body as { id: number; pin: string } }
}

let home: FastifyInstance
let other: FastifyInstance

beforeAll(async () => {
  t = await createTestContext()
  home = await node()
  await until(() => gamesHomeOf(home)!.isHome || undefined, 5_000)
  other = await node()
})
afterAll(async () => {
  sockets.forEach((s) => s.close())
  for (const n of nodes) await n.close().catch(() => {})
  await t?.close()
})

describe('two nodes, one games home', () => {
  it('exactly one node is home', async () => {
    // The second node keeps trying to become home; it must keep failing while the first holds it.
    await new Promise((r) => setTimeout(r, 400))
    expect([gamesHomeOf(home)!.isHome, gamesHomeOf(other)!.isHome]).toEqual([true, false])
  })

  it('matches a player on the home with one on the other node, plays every round and awards both', async () => {
    const a = await client(home, 'dy0011')
    const b = await client(other, 'dy0012')
    for (const [p, how] of [
      [a, 'right'],
      [b, 'wrong'],
    ] as const) {
      p.socket.on('battle:question', async (e) => {
        const answer = how === 'right' ? await keyFor(t.db, e.question) : await wrongFor(t.db, e.question)
        await p.socket.timeout(8_000).emitWithAck('battle:answer', { battleId: e.battleId, index: e.index, answer })
      })
    }
    expect(await ack(b, 'battle:join', { mode: 'duel' })).toEqual({ ok: true, queued: true })
    expect(await ack(a, 'battle:join', { mode: 'duel' })).toEqual({ ok: true, queued: true })
    const endA = await until(() => seen(a, 'battle:end')[0]?.payload, 20_000)
    const endB = await until(() => seen(b, 'battle:end')[0]?.payload, 20_000)
    // The player on the other node saw every question and every round's result.
    expect(seen(b, 'battle:question')).toHaveLength(ROUNDS)
    expect(seen(b, 'battle:round')).toHaveLength(ROUNDS)
    expect(endA.ranking.find((r: any) => r.userId === a.userId).rank).toBe(1)
    expect([endA.pointsEarned, endB.pointsEarned]).toEqual([2, 1])
    const answers = await t.db.selectFrom('battle_answers').select(['user_id', 'correct']).where('battle_id', '=', endA.battleId).execute()
    expect(answers.filter((x) => x.user_id === b.userId)).toHaveLength(ROUNDS)
    expect(answers.filter((x) => x.user_id === a.userId).every((x) => x.correct)).toBe(true)
  })

  it('a battle id that is not hers answers the same from either node', async () => {
    const c = await client(other, 'dy0013')
    expect(await ack(c, 'battle:answer', { battleId: 2147483000, index: 0, answer: 'A' })).toEqual({
      ok: false,
      error: '对战不存在或你不在其中',
    })
  })

  it('a hall screen on the other node runs a contest whose phones are on either node', async () => {
    const { created } = await adminContest('跨节点竞答', 20)
    const host = await client(other, DEMO_ADMIN.username)
    expect(await ack(host, 'contest:host', { contestId: created.id })).toEqual({ ok: true, pin: created.pin, players: 0 })
    const phones = [await client(home, 'dy0021'), await client(other, 'dy0022')]
    for (const p of phones) expect(await ack(p, 'contest:join', { pin: created.pin })).toEqual({ ok: true, contestId: created.id })
    // A member on the node that is not home cannot host or advance it: the home checks her as she is.
    expect(await ack(phones[1], 'contest:host', { contestId: created.id })).toMatchObject({ ok: false })
    expect(await ack(phones[1], 'contest:next', { contestId: created.id })).toEqual({ ok: false, error: '你没有主持这场竞答' })
    await until(() => seen(host, 'contest:lobby').find((e) => e.payload.players === 2))
    for (const index of [0, 1]) {
      expect(await ack(host, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
      const q = (await until(() => seen(phones[1], 'contest:question').find((e) => e.payload.index === index))).payload
      for (const p of phones)
        expect(await ack(p, 'contest:answer', { contestId: created.id, index, answer: await keyFor(t.db, q.question) })).toEqual({
          ok: true,
        })
      // Everyone answered: the reveal comes at once, to the hall screen and to both phones.
      for (const c of [host, ...phones]) await until(() => seen(c, 'contest:reveal').find((e) => e.payload.index === index))
    }
    expect(await ack(host, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    const end = (await until(() => seen(phones[1], 'contest:end')[0])).payload
    expect(end.podium.map((r: any) => r.userId).sort()).toEqual(phones.map((p) => p.userId).sort())
    await contestRuntimeOf(home)!.settle()
    const saved = await t.db.selectFrom('contest_players').select(['user_id', 'score']).where('contest_id', '=', created.id).execute()
    expect(saved.every((r) => r.score > 0)).toBe(true)
  })

  it('a contest cancelled over HTTP on the node that is not home stops on the home, and its screens are told', async () => {
    const { admin, created } = await adminContest('跨节点取消', 60)
    const host = await client(other, DEMO_ADMIN.username)
    expect((await ack(host, 'contest:host', { contestId: created.id })).ok).toBe(true)
    const phone = await client(home, 'dy0023')
    expect((await ack(phone, 'contest:join', { pin: created.pin })).ok).toBe(true)
    expect(await ack(host, 'contest:next', { contestId: created.id })).toEqual({ ok: true })
    await until(() => seen(phone, 'contest:question')[0])
    // The request lands on the node that is not home; the game runs on the home.
    const res = await fetch(`${baseUrlOf(other)}/api/contests/${created.id}/cancel`, { method: 'POST', headers: bearer(admin) })
    expect(res.status).toBe(200)
    for (const c of [host, phone]) await until(() => seen(c, 'contest:cancelled')[0], 5_000)
    await until(() => !(contestRuntimeOf(home) as any).live.has(created.id) || undefined, 5_000)
    expect(seen(phone, 'contest:reveal')).toEqual([])
  })

  it('a flood from a socket on the other node is cut off there: no more than its burst reaches the home', async () => {
    let forwarded = 0
    const count = () => forwarded++
    home.io.on('games:call', count)
    const flooder = await client(other, 'dy0016')
    let cutOff = false
    flooder.socket.on('disconnect', () => (cutOff = true))
    // One event goes through and is counted at the home (so the count below sees forwarding).
    expect(await ack(flooder, 'battle:answer', { battleId: 1, index: 0, answer: 'A' })).toEqual({
      ok: false,
      error: '对战不存在或你不在其中',
    })
    expect(forwarded).toBe(1)
    for (let i = 0; i < 300; i++) flooder.socket.emit('battle:answer', { battleId: 1, index: 0, answer: 'A' })
    await until(() => cutOff || undefined, 5_000)
    await new Promise((r) => setTimeout(r, 500))
    home.io.off('games:call', count)
    expect(forwarded).toBeLessThanOrEqual(1 + SOCKET_LIMITS.burst)
  })

  it('when the home closes, the other node becomes home and matches players', async () => {
    await home.close()
    await until(() => gamesHomeOf(other)!.isHome || undefined, 5_000)
    const c = await client(other, 'dy0014')
    const d = await client(other, 'dy0015')
    expect(await ack(c, 'battle:join', { mode: 'duel' })).toEqual({ ok: true, queued: true })
    expect(await ack(d, 'battle:join', { mode: 'duel' })).toEqual({ ok: true, queued: true })
    expect(await until(() => seen(c, 'battle:matched')[0], 5_000)).toBeDefined()
  })
})
