// Attacks over socket.io: a flood of exam:watch from one socket stalled everyone for 11–30 s, and
// sockets outlived their sessions (logout, password change, disabling, role change) for up to the
// token's 30 minutes. Every client event now spends from a per-socket bucket, watches are capped,
// acks carry only our own messages, and an ended session ends its sockets within seconds. An admin
// the policy holds back until she sets up TOTP could still open a socket and watch every exam's
// live monitor: a socket is now held back exactly as HTTP holds her back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { connect, record, until, watchExam, type ClientSocket } from './helpers/sockets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { SOCKET_LIMITS, TokenBucket } from '../server/realtime/flood-guard.js'
import { SESSION_RECHECK_MS } from '../server/plugins/realtime.js'

let t: TestContext
let admin: string
let orgs: any[]
const exams: any[] = []
const sockets: ClientSocket[] = []
const open = async (token: string) => {
  const s = await connect(t.baseUrl, token)
  sockets.push(s)
  return s
}
const org = (name: string) => orgs.find((o) => o.name === name)
let seq = 0

async function newUserSession(role: 'member' | 'secretary' = 'member') {
  const username = `sock${Date.now().toString(36)}${seq++}`
  const res = await t
    .http()
    .post('/api/users')
    .set(bearer(admin))
    .send({ username, name: '连接测试', password: 'Sock-Test-2026', orgId: org('办公室党支部').id, role })
  expect(res.status).toBe(201)
  const login = await t.http().post('/api/auth/login').send({ username, password: 'Sock-Test-2026' })
  return { id: res.body.id as number, username, ...(login.body as { accessToken: string; refreshToken: string }) }
}

/** Resolves with the first of `events` the socket receives, or 'disconnect'. */
function endOf(socket: ClientSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('session:ended', () => resolve('session:ended'))
    socket.once('auth:expired', () => resolve('auth:expired'))
    socket.once('disconnect', () => resolve('disconnect'))
  })
}

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  admin = await t.login(DEMO_ADMIN.username)
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
  for (let i = 0; i < SOCKET_LIMITS.maxWatches + 2; i++) {
    exams.push(await createOpenExam(t, admin, { title: `连接攻击 ${i}`, audienceOrgIds: [org('省工业和信息化厅').id], passScore: 0 }))
  }
})
afterAll(async () => {
  sockets.forEach((s) => s.close())
  await t?.close()
})

describe('flood control', () => {
  it('the token bucket allows a burst, then the sustained rate', () => {
    let now = 0
    const bucket = new TokenBucket(3, 2, () => now)
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false])
    now += 500 // half a second at 2/s refills one token
    expect([bucket.take(), bucket.take()]).toEqual([true, false])
  })

  it('5,000 exam:watch events from one socket are refused past the burst, the flooder is cut off, and others are served meanwhile', async () => {
    const flooder = await open(await t.login('sj_bgs'))
    const bystander = await open(await t.login('sj_zcfg'))
    const disconnected = new Promise<string>((resolve) => flooder.once('disconnect', (reason) => resolve(reason)))
    let refused = 0
    let accepted = 0
    for (let i = 0; i < 5_000; i++) {
      flooder.emit('exam:watch', { examId: exams[0].id }, (reply) => {
        if (reply.ok) accepted++
        else refused++
      })
    }
    expect(await disconnected).toBe('io server disconnect')
    // The bystander's watch is answered normally right after the flood.
    expect(await watchExam(bystander, exams[0].id)).toEqual({ ok: true })
    expect(accepted).toBeLessThanOrEqual(SOCKET_LIMITS.burst + 2)
    expect(refused).toBeGreaterThan(0)
    // The rooms of the flooder are gone with it: no push work is left for it.
    const rooms = [...t.app.io.of('/').adapter.rooms.keys()].filter((r) => r.startsWith(`exam:${exams[0].id}:`))
    expect(rooms.length).toBe(1)
  })

  it('caps the boards one socket may watch at once', async () => {
    const s = await open(admin)
    const replies = []
    for (const e of exams) replies.push(await watchExam(s, e.id))
    expect(replies.filter((r) => r.ok)).toHaveLength(SOCKET_LIMITS.maxWatches)
    const refusedReply = replies.find((r) => !r.ok) as { ok: false; error: string }
    expect(refusedReply.error).toMatch(/最多同时关注/)
    // Watching one already watched is not a new watch.
    expect(await watchExam(s, exams[0].id)).toEqual({ ok: true })
  })

  it('acks carry our own message, never raw database text', async () => {
    const s = await open(admin)
    const reply = await s.timeout(5000).emitWithAck('points:watch', { orgId: 2 ** 40, period: 'day' })
    expect(reply.ok).toBe(false)
    expect((reply as { error: string }).error).not.toMatch(/out of range|integer|syntax|relation|column|select/i)
  })
})

describe('sockets end with their session', () => {
  it("logout ends that session's sockets at once", async () => {
    const u = await newUserSession()
    const s = await open(u.accessToken)
    const ended = endOf(s)
    expect((await t.http().post('/api/auth/logout').set(bearer(u.accessToken))).status).toBe(204)
    expect(await ended).toBe('session:ended')
  })

  it("a password change ends the person's other sessions' sockets", async () => {
    const u = await newUserSession()
    const other = await t.http().post('/api/auth/login').send({ username: u.username, password: 'Sock-Test-2026' })
    const s = await open(other.body.accessToken)
    const ended = endOf(s)
    const res = await t
      .http()
      .post('/api/auth/password')
      .set(bearer(u.accessToken))
      .send({ currentPassword: 'Sock-Test-2026', newPassword: 'Sock-Changed-2026!' })
    expect(res.status).toBe(204)
    expect(await ended).toBe('session:ended')
  })

  it('disabling a person ends their sockets; a role change makes them reconnect with the new role', async () => {
    const a = await newUserSession('secretary')
    const sa = await open(a.accessToken)
    const roleChanged = endOf(sa)
    await t.http().patch(`/api/users/${a.id}`).set(bearer(admin)).send({ role: 'member' }).expect(200)
    expect(await roleChanged).toBe('auth:expired')
    // The same token now connects as a member: a secretary's monitor watch is no longer available.
    const again = await open(a.accessToken)
    expect(await watchExam(again, exams[1].id)).toEqual({ ok: true }) // members may watch the leaderboard only
    const roomsOfExam = [...t.app.io.of('/').adapter.rooms.keys()].filter((r) => r.startsWith(`exam:${exams[1].id}:lb:`))
    expect(roomsOfExam.length).toBe(1)

    const b = await newUserSession()
    const sb = await open(b.accessToken)
    const disabled = endOf(sb)
    await t.http().patch(`/api/users/${b.id}`).set(bearer(admin)).send({ active: false }).expect(200)
    expect(await disabled).toBe('session:ended')
  })

  it("a session revoked behind this node's back (another node, or the database) is noticed within the recheck interval", async () => {
    const u = await newUserSession()
    const s = await open(u.accessToken)
    const ended = endOf(s)
    const at = Date.now()
    await t.db.updateTable('sessions').set({ revoked_at: new Date() }).where('user_id', '=', u.id).execute()
    expect(await ended).toBe('session:ended')
    await until(() => !s.connected, 1000)
    expect(Date.now() - at).toBeLessThan(SESSION_RECHECK_MS * 3)
  })
})

describe('the second factor the policy requires of admins holds on sockets too', () => {
  let t2: TestContext
  let exam: any
  const policy = (token: string, totpRequiredForAdmins: boolean) =>
    t2.http().patch('/api/policy').set(bearer(token)).send({ totpRequiredForAdmins })
  beforeAll(async () => {
    // A context of its own: once the policy is on, this file's demo admin (no TOTP) could not switch it off.
    t2 = await createTestContext({ listen: true })
    const adm = await t2.login(DEMO_ADMIN.username)
    const orgs2 = (await t2.http().get('/api/orgs').set(bearer(adm))).body
    exam = await createOpenExam(t2, adm, {
      title: '双因素绕过',
      audienceOrgIds: [orgs2.find((o: any) => o.name === '省工业和信息化厅').id],
      passScore: 0,
    })
  })
  afterAll(async () => {
    await t2?.close()
  })

  it('a socket already open is ended once the policy comes to require TOTP of its admin', async () => {
    const adm = (await t2.tokens(DEMO_ADMIN.username)).accessToken
    const s = await connect(t2.baseUrl, adm)
    sockets.push(s)
    expect(await watchExam(s, exam.id)).toMatchObject({ ok: true })
    const ended = endOf(s)
    expect((await policy(adm, true)).status).toBe(200)
    const stillOpen = new Promise((resolve) => setTimeout(() => resolve('still open'), SESSION_RECHECK_MS * 2))
    expect(await Promise.race([ended, stillOpen])).toBe('session:ended')
    await until(() => !s.connected, 1000)
  })

  it('an admin without TOTP, refused on HTTP (TOTP_SETUP_REQUIRED), cannot open a socket and watch an exam’s live monitor', async () => {
    // The policy is on (the test before switched it on; with it on, no admin of this context can switch it off).
    // A fresh sign-in with the password alone (what a stolen password gives).
    const stolen = (await t2.tokens(DEMO_ADMIN.username)).accessToken
    expect((await t2.http().get('/api/users').set(bearer(stolen))).body.error?.code).toBe('TOTP_SETUP_REQUIRED')

    const refused = await connect(t2.baseUrl, stolen).then(
      (socket) => {
        sockets.push(socket)
        const log = record(socket, 'exam:progress')
        return watchExam(socket, exam.id).then((ack) => ({ connected: true, ack, monitorPushes: log.length }))
      },
      (err: Error) => err.message,
    )
    expect(refused).toBe('TOTP_SETUP_REQUIRED')
  })
})
