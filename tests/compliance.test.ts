// Compliance switches and identity (国办函〔2026〕12号, 等保2.0 §8.1.4.1): the switches change what
// the product does and every change is audited; sessions end after the idle and absolute limits
// (not during an open exam attempt); admins can be required to use a second factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generate } from 'otplib'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { ManualClock } from '../server/lib/clock.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { award } from '../server/modules/points/award.js'
import { POLICY_DEFAULTS } from '../server/modules/policy/index.js'

// 10:00 in Shanghai on 2026-12-03.
const clock = new ManualClock(new Date('2026-12-03T02:00:00Z'))
let t: TestContext
let admin: string
const minutes = (n: number) => n * 60_000
const user = (username: string) =>
  t.db.selectFrom('users').select(['id', 'org_id']).where('username', '=', username).executeTakeFirstOrThrow()
const setPolicy = async (patch: Record<string, unknown>) => {
  const res = await t.http().patch('/api/policy').set(bearer(admin)).send(patch)
  expect(res.status, JSON.stringify(res.body)).toBe(200)
  return res.body
}
const audits = (action: string, targetId?: string) => {
  let q = t.db.selectFrom('audit_log').selectAll().where('action', '=', action)
  if (targetId) q = q.where('target_id', '=', targetId)
  return q.orderBy('id').execute()
}
const jwtClaims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number; exp: number }

beforeAll(async () => {
  t = await createTestContext({ clock })
  admin = await t.login(DEMO_ADMIN.username)
})
afterAll(async () => {
  await t?.close()
})

describe('policy switches', () => {
  it('start at the production defaults: points and boards on, names by consent, no individual lists', async () => {
    const res = await t.http().get('/api/policy').set(bearer(admin))
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      pointsEnabled: true,
      disabledPointRules: [],
      leaderboards: 'opt-in',
      secretaryIndividualLists: false,
      remindersOrganisedOnly: true,
      idleMinutes: 30,
    })
    expect(res.body).toEqual(POLICY_DEFAULTS)
    const about = (await t.http().get('/api/about').set(bearer(admin))).body
    expect(about).toMatchObject({ pointsEnabled: true, leaderboards: 'opt-in' })
    expect(about.version).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('are for admins only, refuse bad values with a 400 naming the field, and write nothing then', async () => {
    const secretary = await t.login('sj_bgs')
    expect((await t.http().patch('/api/policy').set(bearer(secretary)).send({ pointsEnabled: false })).status).toBe(403)
    const bad = await t.http().patch('/api/policy').set(bearer(admin)).send({ pointsEnabled: false, leaderboards: 'sometimes' })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('leaderboards')
    expect((await t.http().patch('/api/policy').set(bearer(admin)).send({ idleMinutes: 5 })).status).toBe(400) // tokens live ≥ 15 minutes
    expect((await t.http().get('/api/policy').set(bearer(admin))).body.pointsEnabled).toBe(true)
  })

  it('every change is audited with its old and new value; an unchanged value leaves no row', async () => {
    await setPolicy({ feedbackAnswerDays: 7, sponsor: '省工业和信息化厅机关党委' })
    await setPolicy({ feedbackAnswerDays: 7 })
    const rows = await audits('policy.update')
    expect(rows.map((r) => [r.target_id, r.details])).toEqual([
      ['feedbackAnswerDays', { from: 5, to: 7 }],
      ['sponsor', { from: '', to: '省工业和信息化厅机关党委' }],
    ])
    const adminId = (await user(DEMO_ADMIN.username)).id
    expect(rows.every((r) => r.actor_id === adminId)).toBe(true)
    expect((await t.http().get('/api/about').set(bearer(admin))).body.sponsor).toBe('省工业和信息化厅机关党委')
  })

  it('points off: no award is written, for any rule; a switched-off rule alone earns nothing', async () => {
    const u = await user('dy0030')
    const awardNow = (rule: string, key: string) =>
      t.db.transaction().execute((tx) => award(tx, { userId: u.id, orgId: u.org_id, rule, idemKey: key, at: clock.now() }))
    await setPolicy({ pointsEnabled: false })
    expect(await awardNow('opinion', 'off-1')).toMatchObject({ points: 0, disabled: true })
    // Logging in earns no 登录 point either.
    const member = await t.tokens('dy0030')
    const me = (await t.http().get('/api/points/me').set(bearer(member.accessToken))).body
    expect(me).toMatchObject({ today: 0, enabled: false, rules: [] })
    expect(await t.db.selectFrom('point_ledger').select('id').where('user_id', '=', u.id).execute()).toEqual([])

    await setPolicy({ pointsEnabled: true, disabledPointRules: ['login', 'article_time'] })
    expect(await awardNow('opinion', 'on-1')).toMatchObject({ points: 1 })
    expect(await awardNow('login', 'login-1')).toMatchObject({ points: 0, disabled: true })
    const rules = (await t.http().get('/api/points/rules').set(bearer(admin))).body
    expect(rules.find((r: any) => r.rule === 'login')).toMatchObject({ kind: 'login', enabled: false })
    expect(rules.find((r: any) => r.rule === 'article_time')).toMatchObject({ kind: 'time', enabled: false })
    expect(rules.find((r: any) => r.rule === 'video_time')).toMatchObject({ kind: 'time', enabled: true })
    expect(rules.find((r: any) => r.rule === 'opinion')).toMatchObject({ kind: 'activity', enabled: true })
    const mine = (await t.http().get('/api/points/me').set(bearer(member.accessToken))).body
    expect(mine.rules.map((r: any) => r.rule)).not.toContain('login')
    await setPolicy({ disabledPointRules: [] })
  })

  it('leaderboards off: the board and its live watch are refused; on: every name shows', async () => {
    const member = await t.login('dy0031')
    await setPolicy({ leaderboards: 'off' })
    const off = await t.http().get('/api/leaderboards/points?period=total').set(bearer(member))
    expect(off.status).toBe(403)
    expect(off.body.error.code).toBe('LEADERBOARDS_OFF')
    expect((await t.http().get('/api/about').set(bearer(member))).body.leaderboards).toBe('off')

    // 省中小企业服务中心党支部's members have not consented (demo data): masked under opt-in, named under on.
    const quiet = await user('dy0125')
    const quietName = (await t.db.selectFrom('users').select('name').where('id', '=', quiet.id).executeTakeFirstOrThrow()).name
    await t.db
      .transaction()
      .execute((tx) => award(tx, { userId: quiet.id, orgId: quiet.org_id, rule: 'opinion', idemKey: 'board-1', at: clock.now() }))
    await setPolicy({ leaderboards: 'on' })
    const named = (await t.http().get('/api/leaderboards/points?period=total').set(bearer(member))).body
    expect(named.find((r: any) => r.id === quiet.id).name).toBe(quietName)
    await setPolicy({ leaderboards: 'opt-in' })
    const masked = (await t.http().get('/api/leaderboards/points?period=total').set(bearer(member))).body
    expect(masked.find((r: any) => r.id === quiet.id)).toMatchObject({
      name: `${Array.from(quietName)[0]}*`,
      orgName: '省中小企业服务中心党支部',
    })
  })
})

describe('sessions (等保2.0 §8.1.4.1)', () => {
  it('an idle session cannot be renewed after 30 minutes; activity keeps it going', async () => {
    const idle = await t.tokens('dy0032')
    clock.advance(minutes(31))
    const refused = await t.http().post('/api/auth/refresh').send({ refreshToken: idle.refreshToken })
    expect(refused.status).toBe(401)
    expect(refused.body.error.code).toBe('SESSION_IDLE')
    expect((await audits('auth.session_ended')).at(-1)!.details).toEqual({ reason: 'idle' })

    const busy = await t.tokens('dy0032')
    clock.advance(minutes(20))
    expect((await t.http().get('/api/points/me').set(bearer(busy.accessToken))).status).toBe(200)
    clock.advance(minutes(20))
    const renewed = await t.http().post('/api/auth/refresh').send({ refreshToken: busy.refreshToken })
    expect(renewed.status).toBe(200)
  })

  it('access tokens never outlive the idle limit (and live at least 15 minutes)', async () => {
    await setPolicy({ idleMinutes: 20 })
    const { accessToken } = await t.tokens('dy0033')
    const claims = jwtClaims(accessToken)
    expect(claims.exp - claims.iat).toBe(20 * 60)
    await setPolicy({ idleMinutes: 30 })
  })

  it('an open exam attempt keeps the session alive past the idle limit', async () => {
    const member = await t.tokens('dy0034')
    const org = await user('dy0034')
    const exam = (
      await t
        .http()
        .post('/api/exams')
        .set(bearer(admin))
        .send({
          title: '空闲超时测试',
          opensAt: new Date(clock.now().getTime() - minutes(1)).toISOString(),
          closesAt: new Date(clock.now().getTime() + minutes(120)).toISOString(),
          durationMinutes: 90,
          audienceOrgIds: [org.org_id],
          passScore: 0,
          maxAttempts: 1,
          shuffleQuestions: false,
          shuffleOptions: false,
          releaseResults: 'immediately',
          paper: { rules: [{ type: 'judge', count: 1, scoreEach: 100 }] },
        })
    ).body
    expect((await t.http().post(`/api/exams/${exam.id}/attempts`).set(bearer(member.accessToken)).send({})).status).toBeLessThan(300)
    clock.advance(minutes(45)) // reading one hard question for 45 minutes
    expect((await t.http().post('/api/auth/refresh').send({ refreshToken: member.refreshToken })).status).toBe(200)
  })

  it('ends a session at its absolute lifetime, whatever its activity', async () => {
    await setPolicy({ sessionMaxHours: 2 })
    let tokens = await t.tokens('dy0035')
    for (let i = 0; i < 5; i++) {
      clock.advance(minutes(25))
      expect((await t.http().get('/api/points/me').set(bearer(tokens.accessToken))).status).toBe(200)
      const res = await t.http().post('/api/auth/refresh').send({ refreshToken: tokens.refreshToken })
      if (i < 4) {
        expect(res.status).toBe(200)
        tokens = res.body
      } else {
        expect(res.status).toBe(401)
        expect(res.body.error.code).toBe('SESSION_EXPIRED')
      }
    }
    await setPolicy({ sessionMaxHours: POLICY_DEFAULTS.sessionMaxHours })
  })

  it('an expired password must be changed when the policy sets a maximum age', async () => {
    const u = await user('dy0036')
    await t.db
      .updateTable('users')
      .set({ password_changed_at: new Date(clock.now().getTime() - 100 * 86_400_000) })
      .where('id', '=', u.id)
      .execute()
    await setPolicy({ passwordMaxDays: 90 })
    const token = (await t.tokens('dy0036')).accessToken
    const blocked = await t.http().get('/api/points/me').set(bearer(token))
    expect(blocked.status).toBe(403)
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED')
    expect((await t.http().get('/api/me').set(bearer(token))).body.mustChangePassword).toBe(true)
    await setPolicy({ passwordMaxDays: 0 })
  })
})

describe('TOTP second factor', () => {
  const code = (secret: string) => generate({ secret, epoch: Math.floor(clock.now().getTime() / 1000) })

  it('once enabled, a login needs a current code; wrong codes fail and are audited', async () => {
    await t
      .http()
      .post('/api/users')
      .set(bearer(admin))
      .send({
        username: 'admin_totp',
        name: '动态口令管理员',
        password: 'Harbor-Lamp-2026',
        orgId: (await user(DEMO_ADMIN.username)).org_id,
        role: 'admin',
      })
    const first = await t.tokens('admin_totp', 'Harbor-Lamp-2026')
    const setup = await t.http().post('/api/auth/totp/setup').set(bearer(first.accessToken))
    expect(setup.status).toBe(200)
    expect(setup.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\//)
    expect((await t.http().post('/api/auth/totp/enable').set(bearer(first.accessToken)).send({ code: '000000' })).status).toBe(400)
    expect(
      (
        await t
          .http()
          .post('/api/auth/totp/enable')
          .set(bearer(first.accessToken))
          .send({ code: await code(setup.body.secret) })
      ).status,
    ).toBe(204)

    const login = (body: Record<string, unknown>) =>
      t
        .http()
        .post('/api/auth/login')
        .send({ username: 'admin_totp', password: 'Harbor-Lamp-2026', ...body })
    const without = await login({})
    expect(without.status).toBe(401)
    expect(without.body.error.code).toBe('TOTP_REQUIRED')
    const wrong = await login({ totpCode: '123456' === (await code(setup.body.secret)) ? '654321' : '123456' })
    expect(wrong.status).toBe(401)
    expect(wrong.body.error.code).toBe('TOTP_INVALID')
    expect((await audits('auth.login_failed')).some((r) => (r.details as any)?.totp === true)).toBe(true)
    // The code that turned the factor on is spent (a code is accepted once): the next one signs in.
    expect((await login({ totpCode: await code(setup.body.secret) })).body.error.code).toBe('TOTP_INVALID')
    clock.advance(30_000)
    const ok = await login({ totpCode: await code(setup.body.secret) })
    expect(ok.status).toBe(200)
    expect(ok.body.user.role).toBe('admin')
    expect((await t.http().get('/api/auth/security').set(bearer(ok.body.accessToken))).body).toMatchObject({ totpEnabled: true })
  })

  it('when required for admins, an admin without it reaches only the setup until she has one', async () => {
    await setPolicy({ totpRequiredForAdmins: true })
    // The demo admin has no second factor: everything but sign-in matters and the setup is refused.
    const plain = await t.tokens(DEMO_ADMIN.username)
    const blocked = await t.http().get('/api/users').set(bearer(plain.accessToken))
    expect(blocked.status).toBe(403)
    expect(blocked.body.error.code).toBe('TOTP_SETUP_REQUIRED')
    expect((await t.http().get('/api/me').set(bearer(plain.accessToken))).status).toBe(200)
    expect((await t.http().get('/api/auth/security').set(bearer(plain.accessToken))).body).toMatchObject({
      totpEnabled: false,
      totpRequired: true,
    })
    // Members are not affected.
    expect(
      (
        await t
          .http()
          .get('/api/points/me')
          .set(bearer(await t.login('dy0037')))
      ).status,
    ).toBe(200)
    // The admin with a second factor switches the requirement off again.
    const withTotp = await t.db.selectFrom('users').select('totp_secret').where('username', '=', 'admin_totp').executeTakeFirstOrThrow()
    clock.advance(30_000) // a code of the next step: the last one was spent by the login before
    const second = await t
      .http()
      .post('/api/auth/login')
      .send({ username: 'admin_totp', password: 'Harbor-Lamp-2026', totpCode: await code(withTotp.totp_secret!) })
    const off = await t.http().patch('/api/policy').set(bearer(second.body.accessToken)).send({ totpRequiredForAdmins: false })
    expect(off.status).toBe(200)
    expect((await t.http().get('/api/users').set(bearer(plain.accessToken))).status).toBe(200)
  })

  it('an admin clears a lost second factor of someone else (audited), never her own', async () => {
    const target = await user('admin_totp')
    const secretary = await t.login('sj_bgs')
    // Out of her subtree the account does not exist for a secretary; inside it she still may not reset it.
    expect((await t.http().patch(`/api/users/${target.id}`).set(bearer(secretary)).send({ resetTotp: true })).status).toBe(404)
    expect(
      (
        await t
          .http()
          .patch(`/api/users/${(await user('dy0002')).id}`)
          .set(bearer(secretary))
          .send({ resetTotp: true })
      ).status,
    ).toBe(403)
    const res = await t.http().patch(`/api/users/${target.id}`).set(bearer(admin)).send({ resetTotp: true })
    expect(res.status).toBe(200)
    expect((await t.http().post('/api/auth/login').send({ username: 'admin_totp', password: 'Harbor-Lamp-2026' })).status).toBe(200)
    expect((await audits('auth.totp_reset', String(target.id))).length).toBe(1)
    const self = (await t.http().get('/api/me').set(bearer(admin))).body.id
    expect((await t.http().patch(`/api/users/${self}`).set(bearer(admin)).send({ resetTotp: true })).status).toBe(403)
  })
})
