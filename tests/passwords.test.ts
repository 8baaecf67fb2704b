// The password policy (weak and common passwords refused wherever one is set) and the username
// rules for new accounts (invisible characters, direction controls, mixed scripts, reserved names).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { lockTable } from './helpers/locks.js'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { csv } from './helpers/sheets.js'
import { DEMO_ADMIN, DEMO_PASSWORD } from '../server/seed/demo.js'
import { generatePassword, HashingBusy, HashPool, hashPool, passwordProblem } from '../server/lib/passwords.js'
import { isReservedUsername, normalizeUsername, usernameKey, usernameProblem } from '../server/lib/usernames.js'

const STRONG = 'Harbor-Lamp-2026'
const WEAK = ['password1', 'Passw0rd!', '12345678', 'qwertyuiop', '1qaz2wsx', 'woaini1314', 'abc', 'zhangwei1988']

describe('password policy (unit)', () => {
  it.each(WEAK)('refuses %s', (password) => {
    expect(passwordProblem(password, 'someone')).toEqual(expect.any(String))
  })

  it("refuses the username and the person's own name as the password", () => {
    expect(passwordProblem('zhang.san.2026', 'zhang.san.2026')).toContain('用户名')
    expect(passwordProblem('liuyang2026', 'u1', 'liuyang')).toEqual(expect.any(String))
  })

  it('accepts strong passwords, long phrases without digits among them', () => {
    for (const password of [STRONG, 'Xc9!mQ2vLr8p', 'correct horse battery staple', 'Reset2026x'])
      expect(passwordProblem(password, 'someone')).toBeNull()
  })

  it('generates initial passwords that pass the policy and differ', () => {
    const made = Array.from({ length: 50 }, generatePassword)
    expect(new Set(made).size).toBe(50)
    for (const password of made.slice(0, 10)) expect(passwordProblem(password, 'someone')).toBeNull()
  })
})

describe('username rules (unit)', () => {
  it('normalises for lookups and keys', () => {
    expect(normalizeUsername('  ＡＤＭＩＮ ')).toBe('ADMIN')
    expect(usernameKey('  ＡＤＭＩＮ ')).toBe('admin')
  })

  it('keeps the names the seed and the sheets use', () => {
    for (const name of ['dy0001', 'sj_bgs', 'zhang.san', 'li-si_2', 'wang@bgs', '13800138000']) expect(usernameProblem(name)).toBeNull()
  })

  it('reserves admin-like names and their look-alikes', () => {
    for (const name of [
      'admin',
      'ADMIN',
      'Administrator',
      'root',
      'system',
      'sysadmin',
      'superuser',
      '管理员',
      'admín',
      'adm1n',
      '@dmin',
      'r00t',
      'a.d.m.i.n',
      'admin2',
      'ＡＤＭＩＮ',
    ]) {
      expect(isReservedUsername(normalizeUsername(name)), name).toBe(true)
    }
    for (const name of ['dy0001', 'sj_bgs', 'adminotti', 'rooted', 'wangsystem1']) expect(isReservedUsername(name), name).toBe(false)
  })

  it('names the problem in Chinese', () => {
    expect(usernameProblem('zhang\u200bsan')).toContain('不可见')
    expect(usernameProblem('pаvel')).toContain('混用') // Cyrillic а
    expect(usernameProblem('张三')).toContain('英文字母')
  })
})

describe('over the API', () => {
  let t: TestContext
  let admin: string
  let orgId: number
  beforeAll(async () => {
    t = await createTestContext()
    admin = await t.login(DEMO_ADMIN.username)
    orgId = (await t.http().get('/api/orgs').set(bearer(admin))).body.find((o: any) => o.name === '办公室党支部').id
  })
  afterAll(async () => {
    await t?.close()
  })

  const createUser = (username: string, password = STRONG) =>
    t.http().post('/api/users').set(bearer(admin)).send({ username, name: '测试用户', password, orgId, role: 'member' })

  it.each([
    ['zero-width space', 'zhang\u200bsan'],
    ['zero-width joiner', 'li\u200dsi'],
    ['right-to-left override', 'abc\u202Egpj.exe'],
    ['left-to-right isolate', 'wang\u2066wu'],
    ['right-to-left mark', 'zhao\u200Fliu'],
    ['control character', 'sun\u0007qi'],
    ['Cyrillic а among Latin', 'pаvel'],
    ['reserved admin', 'admin'],
    ['reserved Administrator', 'Administrator'],
    ['reserved root', 'root'],
    ['reserved system', 'system'],
    ['reserved sysadmin', 'sysadmin'],
    ['reserved superuser', 'superuser'],
    ['reserved 管理员', '管理员'],
    ['look-alike admín', 'admín'],
    ['look-alike adm1n', 'adm1n'],
    ['look-alike ADMIN', 'ADMIN'],
    ['look-alike full-width', 'ＡＤＭＩＮ'],
    ['look-alike r00t', 'r00t'],
  ])('refuses a username with %s: 400 naming username', async (_what, username) => {
    const res = await createUser(username)
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(res.body.error.details.map((d: any) => d.field)).toContain('username')
  })

  it('still creates ordinary usernames, and the existing admin keeps working', async () => {
    expect((await createUser('zhang.san')).status).toBe(201)
    expect((await createUser('li-si_2')).status).toBe(201)
    expect((await t.http().post('/api/auth/login').send({ username: 'admin', password: DEMO_ADMIN.password })).status).toBe(200)
  })

  it('refuses a weak or common password when creating a user: 400 naming password', async () => {
    const res = await createUser('weak.pw.user', 'password1')
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('VALIDATION')
    expect(res.body.error.details[0].field).toBe('password')
  })

  it('POST /api/auth/password with password1 → 400 VALIDATION naming newPassword', async () => {
    const token = await t.login('dy0020')
    for (const newPassword of ['password1', '12345678', 'woaini1314', 'Demo@2026']) {
      const res = await t.http().post('/api/auth/password').set(bearer(token)).send({ currentPassword: DEMO_PASSWORD, newPassword })
      expect(res.status, newPassword).toBe(400)
      expect(res.body.error.code).toBe('VALIDATION')
      expect(res.body.error.details[0].field).toBe('newPassword')
    }
    // The demo password is below today's bar, yet logging in with it keeps working.
    expect((await t.http().post('/api/auth/login').send({ username: 'dy0020', password: DEMO_PASSWORD })).status).toBe(200)
    expect(
      (await t.http().post('/api/auth/password').set(bearer(token)).send({ currentPassword: DEMO_PASSWORD, newPassword: STRONG })).status,
    ).toBe(204)
  })

  describe('import', () => {
    const HEADER = ['用户名', '姓名', '组织', '角色', '初始密码']
    const upload = (file: Buffer, query = '') =>
      t.http().post(`/api/users/import${query}`).set(bearer(admin)).attach('file', file, 'people.csv')

    it('refuses weak passwords and bad usernames by row; existing admin rows still update', async () => {
      const res = await upload(
        csv(HEADER, [
          ['imp-weak', '赵一', '办公室党支部', '党员', 'password1'],
          ['adm1n', '钱二', '办公室党支部', '党员', STRONG],
          ['pаvel', '孙三', '办公室党支部', '党员', STRONG],
          ['admin', '系统管理员', '省工业和信息化厅', '管理员', ''],
        ]),
        '?dryRun=true',
      )
      expect(res.status).toBe(200)
      expect(res.body.errors.map((e: any) => e.row)).toEqual([2, 3, 4])
      expect(res.body.errors[0].message).toContain('初始密码')
      expect(res.body.updated).toBe(1)
    })

    it('a blank 初始密码 gets a random strong password, shown only by the import that sets it', async () => {
      const file = csv(HEADER, [
        ['imp-gen1', '周六', '办公室党支部', '党员', ''],
        ['imp-gen2', '吴七', '办公室党支部', '党员', ''],
      ])
      const dry = await upload(file, '?dryRun=true')
      expect(dry.status).toBe(200)
      expect(dry.body.preview[0]).toMatchObject({ username: 'imp-gen1', passwordGenerated: true })
      expect(dry.body.preview[0].initialPassword).toBeUndefined()

      const real = await upload(file)
      expect(real.status).toBe(200)
      const [first, second] = real.body.preview
      expect(first.initialPassword).toEqual(expect.any(String))
      expect(first.initialPassword).not.toBe(second.initialPassword)
      expect(passwordProblem(first.initialPassword, 'imp-gen1')).toBeNull()
      const login = await t.http().post('/api/auth/login').send({ username: 'imp-gen1', password: first.initialPassword })
      expect(login.status).toBe(200)
      expect(login.body.user.mustChangePassword).toBe(true)
    })
  })
})

describe('password hashing under a login storm', () => {
  it('runs at most `running` hashes, queues up to `queued`, and refuses the rest at once', async () => {
    const pool = new HashPool(1, 2)
    const gates: (() => void)[] = []
    const work = () => new Promise<string>((resolve) => gates.push(() => resolve('done')))
    const first = pool.run(work)
    const queued = [pool.run(work), pool.run(work)]
    expect(pool.stats).toEqual({ active: 1, waiting: 2, admitted: 0 })
    expect(pool.full).toBe(true)
    await expect(pool.run(work)).rejects.toBeInstanceOf(HashingBusy)
    // Each finished hash hands its slot to the next in line, never running two at once.
    gates.shift()!()
    expect(await first).toBe('done')
    await new Promise((r) => setImmediate(r))
    expect(pool.stats).toEqual({ active: 1, waiting: 1, admitted: 0 })
    gates.shift()!()
    await new Promise((r) => setImmediate(r))
    gates.shift()!()
    expect(await Promise.all(queued)).toEqual(['done', 'done'])
    expect(pool.stats).toEqual({ active: 0, waiting: 0, admitted: 0 })
  })

  it('refuses a hash without a place (a password change) while admitted logins hold every place', async () => {
    const pool = new HashPool(1, 2)
    const places = [pool.admit(), pool.admit(), pool.admit()]
    // No hash is running, but three logins are on their way to the one slot and two queue places.
    await expect(pool.run(async () => 'changed')).rejects.toBeInstanceOf(HashingBusy)
    places[0].release()
    expect(await pool.run(async () => 'changed')).toBe('changed')
    for (const place of places) place.release()
  })
})

describe('a login storm against the server', () => {
  let t: TestContext
  beforeAll(async () => {
    t = await createTestContext()
  })
  afterAll(async () => {
    await t?.close()
  })

  it('answers 503 BUSY with a short Retry-After while the hashing pool is full, without charging the throttle', async () => {
    // Fill the process's real pool with hashes that do not finish until released.
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const blockers = Array.from({ length: hashPool.running + hashPool.queued }, () => hashPool.run(() => released))
    try {
      for (let i = 0; i < 8; i++) {
        const res = await t.http().post('/api/auth/login').send({ username: DEMO_ADMIN.username, password: DEMO_ADMIN.password })
        expect(res.status).toBe(503)
        expect(res.body.error.code).toBe('BUSY')
        // Come back when the people holding places and those just turned away could all be hashed.
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(2)
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(10)
      }
    } finally {
      release()
      await Promise.all(blockers)
    }
    // Eight refusals were not counted as failures: the owner signs in at once.
    const ok = await t.http().post('/api/auth/login').send({ username: DEMO_ADMIN.username, password: DEMO_ADMIN.password })
    expect(ok.status).toBe(200)
  })

  it('cuts a burst to the places left before any of it is read or charged', async () => {
    // All but two places taken by hashes that do not finish until released.
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const blockers = Array.from({ length: hashPool.running + hashPool.queued - 2 }, () => hashPool.run(() => released))
    // The throttle table locked: a login that reads or charges anything waits here until unlocked.
    const lock = await lockTable(t.db, 'login_failures')
    const people = Array.from({ length: 12 }, (_, i) => `dy${String(i + 11).padStart(4, '0')}`)
    const answered = new Map<string, number>()
    const answers = people.map((username) =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: DEMO_PASSWORD } }).then((res) => {
        answered.set(username, res.statusCode)
        return res
      }),
    )
    let busy: string[] = []
    try {
      // Ten are told to come back at once, without touching the database; two hold the places.
      await expect.poll(() => answered.size, { timeout: 5_000, interval: 20 }).toBe(10)
      busy = [...answered].filter(([, status]) => status === 503).map(([username]) => username)
      expect(busy).toHaveLength(10)
    } finally {
      await lock.release()
      release()
      await Promise.all(blockers)
    }
    // Nor were they charged: no throttle row (an admitted login is charged, as every attempt is).
    const charged = await t.db.selectFrom('login_failures').select('username_key').where('username_key', 'in', busy).execute()
    expect(charged).toEqual([])
    const statuses = (await Promise.all(answers)).map((r) => r.statusCode).sort()
    expect(statuses).toEqual([...Array(2).fill(200), ...Array(10).fill(503)])
  })
})

describe('Retry-After under a storm', () => {
  it('grows with the crowd just turned away, up to the client’s cap, and falls back once it has gone', () => {
    const pool = new HashPool(1, 2)
    const places = [pool.admit(), pool.admit(), pool.admit()]
    const refusedAfter = (n: number) => {
      let last = 0
      for (let i = 0; i < n; i++)
        try {
          pool.admit()
        } catch (err) {
          last = (err as HashingBusy).retryAfterSeconds
        }
      return last
    }
    // A handful away: the short default.
    expect(refusedAfter(1)).toBe(2)
    // ~200 waiting to come back at ~20 ms a hash on one thread: four seconds of work and more.
    expect(refusedAfter(200)).toBeGreaterThanOrEqual(4)
    // A storm: never longer than the web client waits anyway.
    expect(refusedAfter(600)).toBe(10)
    // Two seconds later those refusals are forgotten.
    expect(pool.retryAfterSeconds(Date.now() + 2_500)).toBe(2)
    for (const place of places) place.release()
  })
})

describe('hashing places held from admission', () => {
  it('counts an admitted login as waiting until its hash runs, and never refuses it there', async () => {
    const pool = new HashPool(1, 2)
    const places = [pool.admit(), pool.admit(), pool.admit()]
    expect(pool.stats).toEqual({ active: 0, waiting: 0, admitted: 3 })
    expect(pool.full).toBe(true)
    expect(() => pool.admit()).toThrow(HashingBusy)
    // A login that ends before hashing (a wrong username's throttle, say) gives its place back.
    places[2].release()
    places[2].release()
    expect(pool.stats.admitted).toBe(2)
    let open!: () => void
    const gate = new Promise<string>((resolve) => (open = () => resolve('done')))
    const first = pool.run(() => gate, places[0])
    // Another caller without a place takes the last one meanwhile: the admitted login still queues.
    const other = pool.run(() => Promise.resolve('other'))
    const second = pool.run(() => Promise.resolve('second'), places[1])
    expect(pool.stats).toEqual({ active: 1, waiting: 2, admitted: 0 })
    open()
    expect(await Promise.all([first, other, second])).toEqual(['done', 'other', 'second'])
  })
})
