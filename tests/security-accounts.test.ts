// Attacks by a secretary on accounts that are not hers to manage. On the reviewed code she could take
// over an auditor placed in her branch (PATCH naming a new role passed the check, which read the
// requested role, not the account's), change one through the import, and block a deletion request
// by creating the account name the anonymisation would give (`deleted-<id>`). Each is now refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { csv } from './helpers/sheets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
let secretary: string // sj_bgs, secretary of 办公室党支部
let orgs: any[]
const org = (name: string) => orgs.find((o) => o.name === name)
const HEADER = ['用户名', '姓名', '组织', '角色', '初始密码']

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  secretary = await t.login('sj_bgs')
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
})
afterAll(async () => {
  await t?.close()
})

/** An auditor account the admin places in the secretary's own branch. */
async function auditorInBranch(username: string) {
  const created = await t
    .http()
    .post('/api/users')
    .set(bearer(admin))
    .send({ username, name: '审计员', password: 'Harbor-Lamp-2026', orgId: org('办公室党支部').id, role: 'auditor' })
  expect(created.status).toBe(201)
  return created.body as { id: number }
}
const accountOf = (id: number) =>
  t.db.selectFrom('users').select(['role', 'name', 'active', 'org_id', 'password_hash']).where('id', '=', id).executeTakeFirstOrThrow()

describe('only admins manage an auditor’s account', () => {
  it('an auditor placed in her branch: role change, password reset, disabling and renaming are all refused', async () => {
    const auditor = await auditorInBranch('shenji_bgs')
    const before = await accountOf(auditor.id)
    const attempts = [
      // Naming a role as well used to let it through: the check read the new role, not the account's.
      { role: 'member', password: 'Taken-Over-2026' },
      { role: 'member' },
      { password: 'Taken-Over-2026' },
      { active: false },
      { name: '改名' },
      { orgId: org('办公室党支部').id },
    ]
    for (const body of attempts) {
      const res = await t.http().patch(`/api/users/${auditor.id}`).set(bearer(secretary)).send(body)
      expect(res.status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBe(403)
      expect(res.body.error.message).toBe('只有管理员可以修改审计员')
    }
    expect(await accountOf(auditor.id)).toEqual(before)
    // The admin still can.
    expect((await t.http().patch(`/api/users/${auditor.id}`).set(bearer(admin)).send({ name: '审计员甲' })).status).toBe(200)
  })

  it('nor through the import: a row naming the auditor as 党员 is refused, naming the row', async () => {
    const auditor = await auditorInBranch('shenji_bgs2')
    const before = await accountOf(auditor.id)
    const file = csv(HEADER, [['shenji_bgs2', '审计员', '办公室党支部', '党员', '']])
    const res = await t.http().post('/api/users/import?skipInvalid=true').set(bearer(secretary)).attach('file', file, 'people.csv')
    expect(res.body.errors, JSON.stringify(res.body)).toEqual([{ row: 2, message: '用户“shenji_bgs2”是审计员，无权修改' }])
    expect(res.body.updated).toBe(0)
    expect(await accountOf(auditor.id)).toEqual(before)
  })
})

describe('a deletion request cannot be blocked by taking the anonymised username', () => {
  it('names starting with "deleted-" are the system’s: refused on the form and in the import', async () => {
    const her = await t.db.selectFrom('users').select(['id']).where('username', '=', 'dy0003').executeTakeFirstOrThrow()
    for (const username of [`deleted-${her.id}`, `Deleted-${her.id}`]) {
      const squat = await t
        .http()
        .post('/api/users')
        .set(bearer(secretary))
        .send({ username, name: '占位', password: 'Squat-Name-2026', orgId: org('办公室党支部').id, role: 'member' })
      expect(squat.status).toBe(400)
      expect(squat.body.error.details).toEqual([{ field: 'username', message: expect.stringContaining('deleted-') }])
    }
    const file = csv(HEADER, [[`deleted-${her.id}`, '占位', '办公室党支部', '党员', '']])
    const imported = await t.http().post('/api/users/import?dryRun=true').set(bearer(secretary)).attach('file', file, 'people.csv')
    expect(imported.body.errors).toEqual([{ row: 2, message: expect.stringContaining('deleted-') }])
  })

  it('a "deleted-<id>" account left from before the rule does not stop the admin approving that person’s deletion', async () => {
    const her = await t.db.selectFrom('users').select(['id', 'org_id']).where('username', '=', 'dy0005').executeTakeFirstOrThrow()
    // Made straight in the database, as data from before the rule would be.
    await t.db
      .insertInto('users')
      .values({ username: `deleted-${her.id}`, name: '占位', password_hash: '!', role: 'member', org_id: her.org_id })
      .execute()
    const member = await t.login('dy0005')
    const asked = await t.http().post('/api/me/deletion-request').set(bearer(member)).send({ reason: '调离' })
    expect(asked.status).toBe(201)
    const decided = await t.http().post(`/api/privacy/deletion-requests/${asked.body.id}/decide`).set(bearer(admin)).send({ approve: true })
    expect(decided.status, JSON.stringify(decided.body)).toBe(200)
    const row = await t.db
      .selectFrom('users')
      .select(['anonymised_at', 'name', 'username'])
      .where('id', '=', her.id)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: '已注销用户', username: `deleted-${her.id}#${asked.body.id}` })
    expect(row.anonymised_at).not.toBeNull()
  })
})

describe('an account deleted on request stays deleted', () => {
  it('neither her secretary nor an admin can rename or re-enable it, by form or import', async () => {
    const her = await t.db.selectFrom('users').select(['id']).where('username', '=', 'dy0006').executeTakeFirstOrThrow()
    const member = await t.login('dy0006')
    const asked = await t.http().post('/api/me/deletion-request').set(bearer(member)).send({ reason: '退休' })
    expect(asked.status).toBe(201)
    const decided = await t.http().post(`/api/privacy/deletion-requests/${asked.body.id}/decide`).set(bearer(admin)).send({ approve: true })
    expect(decided.status, JSON.stringify(decided.body)).toBe(200)
    const before = await accountOf(her.id)
    const { username } = await t.db.selectFrom('users').select('username').where('id', '=', her.id).executeTakeFirstOrThrow()

    // Re-enabling it with a password she would then be told, or putting a name back on it, would
    // undo the deletion: refused to her secretary and to an admin alike.
    for (const token of [secretary, admin]) {
      for (const body of [{ active: true, password: 'Brought-Back-2026' }, { name: '张三' }]) {
        const res = await t.http().patch(`/api/users/${her.id}`).set(bearer(token)).send(body)
        expect(res.status, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toBe(403)
        expect(res.body.error.message).toBe('该账号已按本人申请注销，不能再修改')
      }
      const file = csv(HEADER, [[username, '张三', '办公室党支部', '党员', 'Brought-Back-2026']])
      const imported = await t.http().post('/api/users/import?skipInvalid=true').set(bearer(token)).attach('file', file, 'people.csv')
      expect(imported.body.errors, JSON.stringify(imported.body)).toEqual([
        { row: 2, message: `用户“${username}”：该账号已按本人申请注销，不能再修改` },
      ])
      expect(imported.body.updated).toBe(0)
    }
    expect(await accountOf(her.id)).toEqual(before)
  })
})
