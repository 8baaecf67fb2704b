// 现场竞答 cancelled by its host: one that can never start (every question held by an open exam)
// from the lobby, one mid-game — the game stops, its scores so far are kept, no ledger activity —
// and a press of 下一题 that comes just after the cancel reads 本场竞答已取消.
import { beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { bearer, binary, type TestContext } from './helpers/app.js'
import { until } from './helpers/sockets.js'
import { keysSentEarly } from './helpers/live-games.js'
import { ack, branchContests, seen, useContestServer } from './helpers/contests.js'
import { contestRuntimeOf } from '../server/modules/contests/index.js'

const server = useContestServer()
const { env } = server
const { SECRETARY, freshSingles, members, create, lockOnExam, hall, underway, answer } = branchContests(server)
let t: TestContext
let admin: string
beforeAll(() => {
  t = env.t
  admin = env.admin
})

describe('cancelling a contest', () => {
  it('one that can never start is cancelled from the lobby; one cancelled mid-game stops, its scores so far kept', async () => {
    const sec = await t.login(SECRETARY)
    // Every question held by an exam: the start is refused, so it would wait in the lobby for ever.
    const [lone] = await freshSingles(1)
    const idle = await create(sec, [lone.id])
    await lockOnExam([lone.id])
    const idleHall = await hall(sec, idle.id)
    const [waiting] = await members(1)
    expect((await ack(waiting.socket, 'contest:join', { pin: idle.pin })).ok).toBe(true)
    expect((await ack(idleHall.socket, 'contest:next', { contestId: idle.id })).ok).toBe(false)
    const cancelled = await t.http().post(`/api/contests/${idle.id}/cancel`).set(bearer(sec))
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({ id: idle.id, status: 'cancelled', endedAt: expect.any(String), activityId: null })
    for (const c of [idleHall, waiting]) await until(() => seen(c, 'contest:cancelled').find((e) => e.payload.contestId === idle.id))
    // It shows as cancelled in the list; its hall screen does not open again, its PIN admits nobody.
    const listed = (await t.http().get('/api/contests').set(bearer(sec))).body.find((c: any) => c.id === idle.id)
    expect(listed).toMatchObject({ status: 'cancelled' })
    expect(await ack(idleHall.socket, 'contest:host', { contestId: idle.id })).toEqual({ ok: false, error: '本场竞答已取消' })
    expect(await ack(waiting.socket, 'contest:join', { pin: idle.pin })).toMatchObject({ ok: false })

    // Mid-game: question 1 played and revealed, question 2 on screen when the admin (above the
    // branch) cancels it.
    const {
      created,
      host,
      phones: [player, other],
    } = await underway(3, 2, 120)
    await answer(created.id, 0, [player, other], [player])
    await ack(host.socket, 'contest:next', { contestId: created.id })
    await until(() => seen(player, 'contest:question').find((e) => e.payload.index === 1))
    expect((await t.http().post(`/api/contests/${created.id}/cancel`).set(bearer(admin))).status).toBe(200)
    for (const c of [host, player, other]) await until(() => seen(c, 'contest:cancelled')[0])
    await contestRuntimeOf(t.app)!.settle()
    // The game stopped: the host's next press is refused, no reveal or podium follows.
    expect((await ack(host.socket, 'contest:next', { contestId: created.id })).ok).toBe(false)
    for (const c of [host, player, other]) {
      expect(seen(c, 'contest:reveal').map((e) => e.payload.index)).toEqual([0])
      expect(seen(c, 'contest:end')).toEqual([])
      expect(keysSentEarly(c.log, 'contest:reveal')).toEqual([])
    }
    // The scores of question 1 stand; no ledger activity; the export says it was cancelled.
    const results = (await t.http().get(`/api/contests/${created.id}/results`).set(bearer(sec))).body
    expect(results.find((r: any) => r.userId === player.userId)).toMatchObject({
      rank: 1,
      score: seen(player, 'contest:result')[0].payload.score,
      correct: 1,
    })
    expect(results.find((r: any) => r.userId === other.userId)).toMatchObject({ rank: 2, score: 0, correct: 0 })
    const item = (await t.http().get(`/api/contests/${created.id}`).set(bearer(sec))).body
    expect(item).toMatchObject({ status: 'cancelled', activityId: null })
    const file = await t.http().get(`/api/contests/${created.id}/export`).set(bearer(sec)).buffer(true).parse(binary)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(file.body as unknown as ExcelJS.Buffer)
    const about = new Map<string, unknown>()
    wb.getWorksheet('说明')!.eachRow((row) => about.set(String(row.getCell(1).value), row.getCell(2).value))
    expect(about.get('状态')).toContain('已取消')
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'contest.cancel')
      .where('target_id', 'in', [String(idle.id), String(created.id)])
      .orderBy('id')
      .execute()
    expect(audited.map((a) => a.details)).toEqual([{ was: 'lobby' }, { was: 'running' }])
  })

  it('下一题 pressed just after a cancel, before the game has left memory, reads 本场竞答已取消', async () => {
    const { created, host } = await underway(2, 1, 120)
    const runtime = contestRuntimeOf(t.app)!
    // The host's own caller, as the games home sees her hall screen's socket.
    const caller = { socketId: host.socket.id!, principal: t.app.io.sockets.sockets.get(host.socket.id!)!.data.principal }
    // Listening after the runtime: this runs right after it stopped the game, while the contest is
    // still in memory (it leaves once its saves are done) — the moment a press can arrive in.
    let pressed: Promise<unknown> | undefined
    const press = (contestId: number) => {
      if (contestId === created.id) pressed = runtime.next(caller, contestId).catch((err) => err)
    }
    t.app.deps.events.on('contest:cancelled', press)
    try {
      expect((await t.http().post(`/api/contests/${created.id}/cancel`).set(bearer(admin))).status).toBe(200)
    } finally {
      t.app.deps.events.off('contest:cancelled', press)
    }
    expect(await pressed).toMatchObject({ statusCode: 409, code: 'CANCELLED', message: '本场竞答已取消' })
    await until(() => seen(host, 'contest:cancelled')[0])
  })
})
