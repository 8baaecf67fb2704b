// Battle opponents by consent: a member who has not agreed to show her name appears to the other
// players as 张* with her unit, in every battle payload they receive (matched, state after a reload,
// the invitation, the end ranking), while she sees her own name; once she consents, her name shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { connect, until, type ClientSocket } from './helpers/sockets.js'
import { keyFor, recordAll, wrongFor, type Received } from './helpers/live-games.js'
import { battleRuntimeOf } from '../server/modules/battles/index.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
const sockets: ClientSocket[] = []
const ROUNDS = 2
// A name no question stem or unit contains, so finding it anywhere in a payload is a leak.
const HER_NAME = '欧阳测隐'
const HER_MASK = '欧*'
const HER_UNIT = '省中小企业服务中心党支部'

interface Player {
  userId: number
  name: string
  socket: ClientSocket
  log: Received[]
}
async function open(username: string): Promise<Player> {
  const socket = await connect(t.baseUrl, await t.login(username))
  sockets.push(socket)
  const { id, name } = await t.db.selectFrom('users').select(['id', 'name']).where('username', '=', username).executeTakeFirstOrThrow()
  return { userId: id, name, socket, log: recordAll(socket) }
}
const events = (p: Player, name: string) => p.log.filter((e) => e.event === name)
function autoplay(p: Player, how: 'right' | 'wrong') {
  p.socket.on('battle:question', async (e) => {
    const answer = how === 'right' ? await keyFor(t.db, e.question) : await wrongFor(t.db, e.question)
    await p.socket.timeout(3000).emitWithAck('battle:answer', { battleId: e.battleId, index: e.index, answer })
  })
}
/** Every string anywhere in the payloads this player received. */
function strings(log: Received[]): string[] {
  const out: string[] = []
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  log.forEach((e) => walk(e.payload))
  return out
}

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  // dy0123 (省中小企业服务中心党支部) has not answered the privacy notice in the demo data.
  await t.db.updateTable('users').set({ name: HER_NAME }).where('username', '=', 'dy0123').execute()
  const runtime = battleRuntimeOf(t.app)!
  Object.assign(runtime.timing, { rounds: ROUNDS, roundMs: 2_000, revealMs: 100, startDelayMs: 150, graceMs: 1_500, matchWaitMs: 3_000 })
  runtime.timing.reading = { baseMs: 0, perCharMs: 0, capMs: 0 }
})
afterAll(async () => {
  sockets.forEach((s) => s.close())
  await t?.close()
})

describe('battle opponents by consent', () => {
  it('a member without consent is 张* with her unit to her opponent in every payload, and herself to herself', async () => {
    const her = await open('dy0123')
    const him = await open('dy0001') // consented in the demo data
    autoplay(her, 'right')
    autoplay(him, 'wrong')
    expect(await her.socket.timeout(3000).emitWithAck('battle:join', { mode: 'duel' })).toEqual({ ok: true, queued: true })
    expect(await him.socket.timeout(3000).emitWithAck('battle:join', { mode: 'duel' })).toEqual({ ok: true, queued: true })

    const matched = await until(() => events(him, 'battle:matched')[0]?.payload)
    expect(matched.players.find((p: any) => p.userId === her.userId)).toEqual({ userId: her.userId, name: HER_MASK, orgName: HER_UNIT })
    // He is told his own name, and she sees his (he consented) and her own.
    expect(matched.players.find((p: any) => p.userId === him.userId).name).toBe(him.name)
    const hers = (await until(() => events(her, 'battle:matched')[0]?.payload)).players
    expect(hers.find((p: any) => p.userId === her.userId).name).toBe(HER_NAME)
    expect(hers.find((p: any) => p.userId === him.userId)).toMatchObject({ name: him.name, orgName: '办公室党支部' })

    // He reloads mid-battle: the new socket's battle:state masks her too.
    await until(() => events(him, 'battle:question')[0])
    const reload = await open('dy0001')
    expect(await reload.socket.timeout(3000).emitWithAck('battle:resume', { battleId: matched.battleId })).toEqual({ ok: true })
    const state = await until(() => events(reload, 'battle:state')[0]?.payload)
    expect(state.players.find((p: any) => p.userId === her.userId)).toMatchObject({ name: HER_MASK, orgName: HER_UNIT })

    const end = await until(() => events(him, 'battle:end')[0]?.payload, 15_000)
    expect(end.ranking.find((r: any) => r.userId === her.userId)).toMatchObject({ name: HER_MASK, orgName: HER_UNIT, rank: 1 })
    const herEnd = await until(() => events(her, 'battle:end')[0]?.payload, 15_000)
    expect(herEnd.ranking.find((r: any) => r.userId === her.userId).name).toBe(HER_NAME)

    // Every payload either of his sockets received, every string in it: never her name, nor part of it beyond the surname.
    expect(him.log.length).toBeGreaterThan(ROUNDS * 2)
    for (const log of [him.log, reload.log]) {
      expect(strings(log).filter((s) => s.includes(HER_NAME) || s.includes('测隐'))).toEqual([])
    }
    // The table was named in matched, state and end; all three were seen by him.
    expect(new Set([...him.log, ...reload.log].map((e) => e.event))).toEqual(
      new Set(['battle:matched', 'battle:question', 'battle:round', 'battle:state', 'battle:end']),
    )
  })

  it('an invitation from her is masked; after she consents the invitation and the table name her', async () => {
    const her = await open('dy0123')
    const him = await open('dy0002')
    const invite = await her.socket.timeout(3000).emitWithAck('battle:invite', { mode: 'duel', userId: him.userId })
    expect(invite).toMatchObject({ ok: true })
    const told = await until(() => events(him, 'battle:invited')[0]?.payload)
    expect(told.from).toEqual({ userId: her.userId, name: HER_MASK, orgName: HER_UNIT })
    expect(await her.socket.timeout(3000).emitWithAck('battle:leave', {})).toEqual({ ok: true })

    const token = await t.login('dy0123')
    expect((await t.http().put('/api/me/privacy').set(bearer(token)).send({ showOnLeaderboards: true })).status).toBe(200)
    const again = await her.socket.timeout(3000).emitWithAck('battle:invite', { mode: 'duel', userId: him.userId })
    const named = await until(() => events(him, 'battle:invited')[1]?.payload)
    expect(named.from).toMatchObject({ name: HER_NAME, orgName: HER_UNIT })
    autoplay(her, 'wrong')
    autoplay(him, 'right')
    expect(await him.socket.timeout(3000).emitWithAck('battle:join', { mode: 'duel', invite: (again as any).code })).toEqual({
      ok: true,
      queued: true,
    })
    const matched = await until(() => events(him, 'battle:matched')[0]?.payload)
    expect(matched.players.find((p: any) => p.userId === her.userId).name).toBe(HER_NAME)
    const end = await until(() => events(him, 'battle:end')[0]?.payload, 15_000)
    expect(end.ranking.find((r: any) => r.userId === her.userId).name).toBe(HER_NAME)
  })

  it('with leaderboards switched off, everyone is masked to the others, consent or not', async () => {
    const admin = await t.login(DEMO_ADMIN.username)
    expect((await t.http().patch('/api/policy').set(bearer(admin)).send({ leaderboards: 'off' })).status).toBe(200)
    try {
      await t.db.updateTable('users').set({ name: '司马试名' }).where('username', '=', 'dy0004').execute()
      const a = await open('dy0003')
      const b = await open('dy0004')
      autoplay(a, 'right')
      autoplay(b, 'right')
      await a.socket.timeout(3000).emitWithAck('battle:join', { mode: 'duel' })
      await b.socket.timeout(3000).emitWithAck('battle:join', { mode: 'duel' })
      const seenByA = (await until(() => events(a, 'battle:matched')[0]?.payload)).players
      expect(seenByA.find((p: any) => p.userId === a.userId).name).toBe(a.name)
      expect(seenByA.find((p: any) => p.userId === b.userId).name).toBe(`${Array.from(b.name)[0]}*`)
      await until(() => events(a, 'battle:end')[0], 15_000)
      expect(strings(a.log).filter((s) => s.includes(b.name))).toEqual([])
    } finally {
      await t.http().patch('/api/policy').set(bearer(admin)).send({ leaderboards: 'opt-in' })
    }
  })
})
