import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

let t: TestContext
let admin: string
let orgs: any[]
const byName = (name: string) => orgs.find((o) => o.name === name)

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  orgs = (await t.http().get('/api/orgs').set(bearer(admin))).body
})
afterAll(async () => {
  await t?.close()
})

describe('org tree', () => {
  it('lists the demo tree with the public fields and member counts', async () => {
    const root = byName('省工业和信息化厅')
    expect(root).toMatchObject({ parentId: null, kind: 'department' })
    expect(byName('办公室党支部')).toMatchObject({ kind: 'branch', parentId: byName('厅机关党委').id })
    expect(byName('办公室党支部').members).toBeGreaterThan(5)
    expect(byName('省无线电监测站党支部').kind).toBe('agency')
  })

  it('members may read the tree but not change it', async () => {
    const member = await t.login('dy0001')
    expect((await t.http().get('/api/orgs').set(bearer(member))).status).toBe(200)
    expect((await t.http().post('/api/orgs').set(bearer(member)).send({ name: 'x', parentId: null, kind: 'branch' })).status).toBe(403)
    const secretary = await t.login('sj_bgs')
    expect((await t.http().post('/api/orgs').set(bearer(secretary)).send({ name: 'x', parentId: null, kind: 'branch' })).status).toBe(403)
    expect(
      (
        await t
          .http()
          .patch(`/api/orgs/${byName('办公室党支部').id}`)
          .set(bearer(secretary))
          .send({ name: 'y' })
      ).status,
    ).toBe(403)
  })

  it('creates top-level and child orgs', async () => {
    const top = await t.http().post('/api/orgs').set(bearer(admin)).send({ name: '新部门', parentId: null, kind: 'department' })
    expect(top.status).toBe(201)
    expect(top.body).toMatchObject({ name: '新部门', parentId: null, kind: 'department' })
    const child = await t.http().post('/api/orgs').set(bearer(admin)).send({ name: '新支部', parentId: top.body.id, kind: 'branch' })
    expect(child.status).toBe(201)
    expect(child.body.path.startsWith(top.body.path)).toBe(true)
  })

  it('rejects bad input with 4xx naming the field', async () => {
    const badKind = await t.http().post('/api/orgs').set(bearer(admin)).send({ name: 'x', parentId: null, kind: 'club' })
    expect(badKind.status).toBe(400)
    expect(badKind.body.error.message).toContain('kind')
    const noParent = await t.http().post('/api/orgs').set(bearer(admin)).send({ name: 'x', parentId: 999999, kind: 'branch' })
    expect(noParent.status).toBe(422)
    expect(noParent.body.error.details[0].field).toBe('parentId')
    expect((await t.http().patch('/api/orgs/999999').set(bearer(admin)).send({ name: 'x' })).status).toBe(404)
    expect((await t.http().patch('/api/orgs/abc').set(bearer(admin)).send({ name: 'x' })).status).toBe(400)
  })

  it('moves a subtree, keeping its people, and refuses cycles', async () => {
    const unit = byName('省电子信息高级技工学校党委')
    const branch = byName('教师第一党支部')
    const cycle = await t.http().patch(`/api/orgs/${unit.id}`).set(bearer(admin)).send({ parentId: branch.id })
    expect(cycle.status).toBe(422)
    const target = byName('厅机关党委')
    const moved = await t.http().patch(`/api/orgs/${unit.id}`).set(bearer(admin)).send({ parentId: target.id })
    expect(moved.status).toBe(200)
    const after = (await t.http().get('/api/orgs').set(bearer(admin))).body
    const movedBranch = after.find((o: any) => o.id === branch.id)
    expect(movedBranch.path.startsWith(`${target.path}${unit.id}/`)).toBe(true)
    expect(movedBranch.members).toBe(branch.members)
    // Secretary of the moved branch still manages exactly her own people.
    const secretary = await t.login('sj_js1')
    const users = await t.http().get('/api/users?pageSize=100').set(bearer(secretary))
    expect(users.body.total).toBe(branch.members)
  })

  it('renames and disables without losing people', async () => {
    const branch = byName('机关离退休干部党支部')
    const res = await t.http().patch(`/api/orgs/${branch.id}`).set(bearer(admin)).send({ name: '离退休干部党支部', active: false })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ name: '离退休干部党支部', active: false })
    const users = await t.http().get(`/api/users?orgId=${branch.id}&pageSize=100`).set(bearer(admin))
    expect(users.body.total).toBe(branch.members)
  })
})
