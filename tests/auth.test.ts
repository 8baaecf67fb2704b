import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../server/seed/demo.js'
import { ManualClock } from '../server/lib/clock.js'

let t: TestContext
beforeAll(async () => {
  t = await createTestContext()
})
afterAll(async () => {
  await t?.close()
})

async function newUser(username: string, extra: Record<string, unknown> = {}) {
  const admin = await t.login(DEMO_ADMIN.username)
  const org = (await t.http().get('/api/orgs').set(bearer(admin))).body.find((o: any) => o.name === '办公室党支部')
  const res = await t
    .http()
    .post('/api/users')
    .set(bearer(admin))
    .send({ username, name: '测试用户', password: 'Harbor-Lamp-2026', orgId: org.id, role: 'member', ...extra })
  expect(res.status).toBe(201)
  return res.body
}

describe('login', () => {
  it('returns tokens and the public user shape', async () => {
    const res = await t.http().post('/api/auth/login').send({ username: 'sj_bgs', password: DEMO_PASSWORD })
    expect(res.status).toBe(200)
    expect(res.body.accessToken).toEqual(expect.any(String))
    expect(res.body.refreshToken).toEqual(expect.any(String))
    expect(res.body.user).toMatchObject({ username: 'sj_bgs', role: 'secretary', mustChangePassword: false })
    expect(Object.keys(res.body.user)).toEqual(expect.arrayContaining(['id', 'username', 'name', 'role', 'orgId', 'mustChangePassword']))
  })

  it('answers 401 for a wrong password and for an unknown user alike', async () => {
    const wrong = await t.http().post('/api/auth/login').send({ username: 'sj_bgs', password: 'nope' })
    const unknown = await t.http().post('/api/auth/login').send({ username: 'nobody', password: 'nope' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body.error.message).toBe(unknown.body.error.message)
  })

  it('names the missing field on bad input', async () => {
    const res = await t.http().post('/api/auth/login').send({ username: 'x' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(res.body.error.message).toContain('password')
  })

  it('rejects a body that is not JSON with 400, not 500', async () => {
    const res = await t.http().post('/api/auth/login').set('content-type', 'application/json').send('{"username":')
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBeDefined()
  })

  // The account is never locked; the address that failed waits (tests/login-throttle.test.ts: the owner elsewhere gets in).
  it('throttles the address that failed repeatedly on an account, even for the right password', async () => {
    await newUser('lockme')
    for (let i = 0; i < 5; i++) {
      expect((await t.http().post('/api/auth/login').send({ username: 'lockme', password: 'bad-password' })).status).toBe(401)
    }
    const locked = await t.http().post('/api/auth/login').send({ username: 'lockme', password: 'Harbor-Lamp-2026' })
    expect(locked.status).toBe(429)
    expect(locked.body.error.code).toBe('RATE_LIMITED')
  })

  it('rate limits one account but not the others behind the same address', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 25; i++)
      statuses.push((await t.http().post('/api/auth/login').send({ username: 'ghost-account', password: 'x' })).status)
    expect(statuses).toContain(429)
    const other = await t.http().post('/api/auth/login').send({ username: 'dy0001', password: DEMO_PASSWORD })
    expect(other.status).toBe(200)
  })
})

describe('a disabled account', () => {
  // Refused like a wrong password whatever the password: "账号已停用" for the right one alone told a
  // guesser her guess was right, and forgot the failures counted against her address.
  it('answers the right password as it answers a wrong one and an unknown account, and keeps counting failures', async () => {
    const u = await newUser('disabled-guess')
    const admin = await t.login(DEMO_ADMIN.username)
    expect((await t.http().patch(`/api/users/${u.id}`).set(bearer(admin)).send({ active: false })).status).toBe(200)
    const attempt = (username: string, password: string) => t.http().post('/api/auth/login').send({ username, password })
    const wrong = await attempt('disabled-guess', 'Wrong-Guess-2026')
    const right = await attempt('disabled-guess', 'Harbor-Lamp-2026')
    const unknown = await attempt('nobody-here-at-all', 'Harbor-Lamp-2026')
    for (const res of [wrong, right, unknown])
      expect({ status: res.status, body: res.body }).toEqual({ status: wrong.status, body: wrong.body })
    expect(wrong.status).toBe(401)
    const counted = await t.db
      .selectFrom('login_failures')
      .select('failures')
      .where('username_key', '=', 'disabled-guess')
      .executeTakeFirst()
    expect(counted?.failures).toBe(2)
  })
})

describe('tokens', () => {
  it('requires a token and rejects garbage', async () => {
    expect((await t.http().get('/api/me')).status).toBe(401)
    expect((await t.http().get('/api/me').set(bearer('garbage'))).status).toBe(401)
  })

  it('rejects an expired access token', async () => {
    const { accessToken } = await t.tokens('dy0002')
    const payload = t.app.jwt.decode<{ sub: number; sid: string }>(accessToken)!
    const expired = t.app.jwt.sign({ sub: payload.sub, sid: payload.sid }, { expiresIn: 60, clockTimestamp: Date.now() - 3_600_000 } as any)
    const res = await t.http().get('/api/me').set(bearer(expired))
    expect(res.status).toBe(401)
  })

  // Verified tokens are cached until they expire (server/plugins/auth.ts): the cache must not
  // outlive a token, nor let a token with the same payload and another signature through.
  it('refuses a token it accepted before once that token has expired', async () => {
    const { accessToken } = await t.tokens('dy0002')
    const payload = t.app.jwt.decode<{ sub: number; sid: string }>(accessToken)!
    const shortLived = t.app.jwt.sign({ sub: payload.sub, sid: payload.sid }, { expiresIn: 2 } as any)
    expect((await t.http().get('/api/me').set(bearer(shortLived))).status).toBe(200)
    const { exp } = t.app.jwt.decode<{ exp: number }>(shortLived)!
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50))
    expect((await t.http().get('/api/me').set(bearer(shortLived))).status).toBe(401)
  })

  it('refuses a token whose signature was altered after the genuine one was accepted', async () => {
    const { accessToken } = await t.tokens('dy0002')
    expect((await t.http().get('/api/me').set(bearer(accessToken))).status).toBe(200)
    const [header, body, signature] = accessToken.split('.')
    const flipped = signature[0] === 'A' ? 'B' + signature.slice(1) : 'A' + signature.slice(1)
    expect(
      (
        await t
          .http()
          .get('/api/me')
          .set(bearer(`${header}.${body}.${flipped}`))
      ).status,
    ).toBe(401)
  })

  it('lives at least 15 minutes', async () => {
    const { accessToken } = await t.tokens('dy0002')
    const { exp, iat } = t.app.jwt.decode<{ exp: number; iat: number }>(accessToken)!
    expect(exp - iat).toBeGreaterThanOrEqual(15 * 60)
  })

  it('rotates refresh tokens and detects a replayed one', async () => {
    const first = await t.tokens('dy0003')
    const r1 = await t.http().post('/api/auth/refresh').send({ refreshToken: first.refreshToken })
    expect(r1.status).toBe(200)
    expect(r1.body.refreshToken).not.toBe(first.refreshToken)
    const r2 = await t.http().post('/api/auth/refresh').send({ refreshToken: r1.body.refreshToken })
    expect(r2.status).toBe(200)
    // The first token again, long after it was rotated away: treated as theft, the session ends.
    const replay = await t.http().post('/api/auth/refresh').send({ refreshToken: first.refreshToken })
    expect(replay.status).toBe(401)
    const after = await t.http().post('/api/auth/refresh').send({ refreshToken: r2.body.refreshToken })
    expect(after.status).toBe(401)
  })

  it('logout revokes the session', async () => {
    const s = await t.tokens('dy0004')
    expect((await t.http().post('/api/auth/logout').set(bearer(s.accessToken))).status).toBe(204)
    expect((await t.http().get('/api/me').set(bearer(s.accessToken))).status).toBe(401)
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: s.refreshToken })).status).toBe(401)
  })

  it('disabling a user revokes every session', async () => {
    const u = await newUser('disable-me')
    const s = await t.tokens('disable-me', 'Harbor-Lamp-2026')
    const admin = await t.login(DEMO_ADMIN.username)
    expect((await t.http().patch(`/api/users/${u.id}`).set(bearer(admin)).send({ active: false })).status).toBe(200)
    expect((await t.http().get('/api/me').set(bearer(s.accessToken))).status).toBe(401)
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: s.refreshToken })).status).toBe(401)
    expect((await t.http().post('/api/auth/login').send({ username: 'disable-me', password: 'Harbor-Lamp-2026' })).status).toBe(401)
  })
})

describe('password change', () => {
  it('changes the password and revokes other sessions but not this one', async () => {
    await newUser('changer')
    const a = await t.tokens('changer', 'Harbor-Lamp-2026')
    const b = await t.tokens('changer', 'Harbor-Lamp-2026')
    const res = await t
      .http()
      .post('/api/auth/password')
      .set(bearer(a.accessToken))
      .send({ currentPassword: 'Harbor-Lamp-2026', newPassword: 'N3w-Harbor-2026' })
    expect(res.status).toBe(204)
    expect((await t.http().get('/api/me').set(bearer(a.accessToken))).status).toBe(200)
    expect((await t.http().get('/api/me').set(bearer(b.accessToken))).status).toBe(401)
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: b.refreshToken })).status).toBe(401)
    expect((await t.http().post('/api/auth/login').send({ username: 'changer', password: 'N3w-Harbor-2026' })).status).toBe(200)
  })

  it('refuses a wrong current password and a weak new one, naming the field', async () => {
    await newUser('weak')
    const s = await t.tokens('weak', 'Harbor-Lamp-2026')
    const wrong = await t
      .http()
      .post('/api/auth/password')
      .set(bearer(s.accessToken))
      .send({ currentPassword: 'bad', newPassword: 'N3w-Harbor-2026' })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.details[0].field).toBe('currentPassword')
    const weak = await t
      .http()
      .post('/api/auth/password')
      .set(bearer(s.accessToken))
      .send({ currentPassword: 'Harbor-Lamp-2026', newPassword: '123' })
    expect(weak.status).toBe(400)
    expect(weak.body.error.details[0].field).toBe('newPassword')
  })

  it('blocks everything but the allowed calls until a forced change is done', async () => {
    await newUser('forced', { mustChangePassword: true })
    const s = await t.tokens('forced', 'Harbor-Lamp-2026')
    const me = await t.http().get('/api/me').set(bearer(s.accessToken))
    expect(me.status).toBe(200)
    expect(me.body.mustChangePassword).toBe(true)
    const orgs = await t.http().get('/api/orgs').set(bearer(s.accessToken))
    expect(orgs.status).toBe(403)
    expect(orgs.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED')
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: s.refreshToken })).status).toBe(200)
    expect(
      (
        await t
          .http()
          .post('/api/auth/password')
          .set(bearer(s.accessToken))
          .send({ currentPassword: 'Harbor-Lamp-2026', newPassword: 'Chang3d-Kite-2026' })
      ).status,
    ).toBe(204)
    expect((await t.http().get('/api/orgs').set(bearer(s.accessToken))).status).toBe(200)
  })
})

describe('password expiry applies to every account', () => {
  // From the real now: the seed stamps passwords and accounts with the real time it ran, and a fixed
  // date here would stop being 400 days after them once the seed runs past it.
  const clock = new ManualClock(new Date())
  let t4: TestContext
  beforeAll(async () => {
    t4 = await createTestContext({ clock })
    const admin = await t4.login(DEMO_ADMIN.username)
    expect((await t4.http().patch('/api/policy').set(bearer(admin)).send({ passwordMaxDays: 90 })).status).toBe(200)
    clock.advance(400 * 86_400_000)
  })
  afterAll(async () => {
    await t4?.close()
  })
  const mustChange = async (username: string, password?: string) => {
    const fresh = (await t4.tokens(username, password)).accessToken
    return (await t4.http().get('/api/me').set(bearer(fresh))).body.mustChangePassword
  }

  it('with passwordMaxDays set, the seeded/first-start admin must change an old password too (aged from the date the seed gave it)', async () => {
    expect(await mustChange(DEMO_ADMIN.username)).toBe(true)
  })

  it('an account whose password date was never recorded ages from its creation', async () => {
    await t4.db.updateTable('users').set({ password_changed_at: null }).where('username', '=', 'dy0002').execute()
    expect(await mustChange('dy0002', DEMO_PASSWORD)).toBe(true)
  })
})
