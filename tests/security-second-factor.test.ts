// The second factor (TOTP): what a code proves, and for which sessions.
// - The factor is read per person (users.totp_enabled_at), not per session: turning it on in one
//   session made every other session of hers — one opened with a stolen password — a full session.
//   Turning it on now ends her other sessions, as a password change does.
// - A code was accepted again for as long as it stayed valid (about 90 seconds); RFC 6238 §5.2 says
//   a verifier must not accept the same code twice. Each person's last accepted time step is kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generate } from 'otplib'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { ManualClock } from '../server/lib/clock.js'

const PASSWORD = 'Harbor-Lamp-2026'
const clock = new ManualClock(new Date('2026-12-03T02:00:00Z'))
let t: TestContext
let orgId: number
let seq = 0

beforeAll(async () => {
  t = await createTestContext({ clock })
  const admin = await t.login(DEMO_ADMIN.username)
  orgId = (await t.http().get('/api/orgs').set(bearer(admin))).body.find((o: any) => o.name === '办公室党支部').id
})
afterAll(async () => {
  await t?.close()
})

/** A new account (made by the demo admin while nothing holds her back). */
async function newPerson(role: 'admin' | 'member') {
  const username = `totp${role}${seq++}`
  const admin = await t.login(DEMO_ADMIN.username)
  const res = await t.http().post('/api/users').set(bearer(admin)).send({ username, name: '口令测试', password: PASSWORD, orgId, role })
  expect(res.status).toBe(201)
  return username
}

/** The code an authenticator shows now (the app's clock). */
const codeNow = (secret: string) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) })
const nextStep = () => clock.advance(30_000)

const login = (username: string, totpCode?: string) =>
  t
    .http()
    .post('/api/auth/login')
    .send({ username, password: PASSWORD, ...(totpCode && { totpCode }) })

/** Sets up and turns on TOTP in the given session; returns the secret. */
async function enableTotp(accessToken: string) {
  const setup = await t.http().post('/api/auth/totp/setup').set(bearer(accessToken))
  expect(setup.status).toBe(200)
  const enabled = await t
    .http()
    .post('/api/auth/totp/enable')
    .set(bearer(accessToken))
    .send({ code: await codeNow(setup.body.secret) })
  expect(enabled.status).toBe(204)
  return setup.body.secret as string
}

describe('a code is accepted once (RFC 6238 §5.2)', () => {
  let username: string
  let secret: string
  beforeAll(async () => {
    username = await newPerson('member')
    secret = await enableTotp((await t.tokens(username, PASSWORD)).accessToken)
  })

  it('the code that turned the factor on cannot also sign in', async () => {
    const replay = await login(username, await codeNow(secret))
    expect(replay.status).toBe(401)
    expect(replay.body.error.code).toBe('TOTP_INVALID')
    nextStep()
    expect((await login(username, await codeNow(secret))).status).toBe(200)
  })

  it('a code that signed in once is refused the second time, within its window; the next code signs in', async () => {
    nextStep()
    const code = await codeNow(secret)
    expect((await login(username, code)).status).toBe(200)
    const replay = await login(username, code)
    expect(replay.status).toBe(401)
    expect(replay.body.error.code).toBe('TOTP_INVALID')
    // Nor a code of an earlier step, still inside the ±1 step a phone's drift is allowed.
    const earlier = await generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) - 30 })
    expect((await login(username, earlier)).body.error?.code).toBe('TOTP_INVALID')
    nextStep()
    expect((await login(username, await codeNow(secret))).status).toBe(200)
  })

  it('of two sign-ins racing with one code, one passes', async () => {
    nextStep()
    const code = await codeNow(secret)
    const answers = await Promise.all([login(username, code), login(username, code), login(username, code)])
    expect(answers.map((r) => r.status).sort()).toEqual([200, 401, 401])
  })

  it('a code used to sign in cannot turn the factor off', async () => {
    nextStep()
    const code = await codeNow(secret)
    const session = await login(username, code)
    expect(session.status).toBe(200)
    const off = await t.http().post('/api/auth/totp/disable').set(bearer(session.body.accessToken)).send({ code })
    expect(off.status).toBe(400)
    nextStep()
    const later = await t
      .http()
      .post('/api/auth/totp/disable')
      .set(bearer(session.body.accessToken))
      .send({ code: await codeNow(secret) })
    expect(later.status).toBe(204)
  })
})

describe('a second factor set up in one session does not upgrade the others', () => {
  it('a password-only admin session, held back by TOTP_SETUP_REQUIRED, stays held back after the factor is enabled elsewhere', async () => {
    const username = await newPerson('admin')
    const adm = await t.login(DEMO_ADMIN.username)
    expect((await t.http().patch('/api/policy').set(bearer(adm)).send({ totpRequiredForAdmins: true })).status).toBe(200)
    // The owner's session and a second one opened with the password alone (a stolen password).
    const owner = await t.tokens(username, PASSWORD)
    const intruder = await t.tokens(username, PASSWORD)
    expect((await t.http().get('/api/users').set(bearer(intruder.accessToken))).body.error?.code).toBe('TOTP_SETUP_REQUIRED')
    await enableTotp(owner.accessToken)
    // The intruder never presented a code: her session is ended, and cannot be renewed.
    const after = await t.http().get('/api/users').set(bearer(intruder.accessToken))
    expect(after.status, JSON.stringify(after.body).slice(0, 200)).toBe(401)
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: intruder.refreshToken })).status).toBe(401)
    // The owner, who gave the code, goes on as a full admin session.
    expect((await t.http().get('/api/users').set(bearer(owner.accessToken))).status).toBe(200)
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: owner.refreshToken })).status).toBe(200)
  })
})
