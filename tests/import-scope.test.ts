// The attack: a secretary uses the user-import dry run to probe accounts outside her branch. A row
// naming such an account must read like any name she may not use — no holder's name, no org, no
// "update" preview — and no import, dry or real, may ever change that person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { csv } from './helpers/sheets.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { USERNAME_UNAVAILABLE } from '../server/modules/users/import.js'

const HEADER = ['用户名', '姓名', '组织', '角色', '初始密码']
const OUTSIDER = 'dy0050' // a member of another branch than sj_bgs's 办公室党支部

let t: TestContext
let admin: string
let secretary: string // sj_bgs

beforeAll(async () => {
  t = await createTestContext()
  admin = await t.login(DEMO_ADMIN.username)
  secretary = await t.login('sj_bgs')
})
afterAll(async () => {
  await t?.close()
})

const upload = (token: string, file: Buffer, query: string) =>
  t.http().post(`/api/users/import${query}`).set(bearer(token)).attach('file', file, 'people.csv')

/** The outsider as stored, with the name of their org. */
async function outsider() {
  return t.db
    .selectFrom('users')
    .innerJoin('orgs', 'orgs.id', 'users.org_id')
    .select(['users.id', 'users.name', 'users.role', 'users.org_id', 'users.updated_at', 'orgs.name as org_name', 'orgs.path as org_path'])
    .where('users.username', '=', OUTSIDER)
    .executeTakeFirstOrThrow()
}

describe("a secretary's import row naming an account outside her branch", () => {
  it("the premise: dy0050 exists, outside sj_bgs's subtree", async () => {
    const me = await t.db
      .selectFrom('users')
      .innerJoin('orgs', 'orgs.id', 'users.org_id')
      .select('orgs.path')
      .where('users.username', '=', 'sj_bgs')
      .executeTakeFirstOrThrow()
    const other = await outsider()
    expect(other.org_path.startsWith(me.path)).toBe(false)
  })

  it('dry run: one neutral message that names neither the holder nor the org, and no preview', async () => {
    const other = await outsider()
    const file = csv(HEADER, [[OUTSIDER, '冒名者', '办公室党支部', '党员', 'Start2026x']])
    const res = await upload(secretary, file, '?dryRun=true')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ created: 0, updated: 0, preview: [] })
    expect(res.body.errors).toEqual([{ row: 2, message: USERNAME_UNAVAILABLE }])
    const everything = JSON.stringify(res.body)
    expect(everything).not.toContain(other.name)
    expect(everything).not.toContain(other.org_name)
    expect(everything).not.toMatch(/其他组织|管理员|属于|无权修改/)
  })

  it('reads the same whatever the outsider is: a blank password is not a tell', async () => {
    // A taken name outside her scope must not skip the checks a new person gets, or their absence
    // would give the account away; a blank password is fine for a new person (one is generated).
    const res = await upload(secretary, csv(HEADER, [[OUTSIDER, '冒名者', '办公室党支部', '党员', '']]), '?dryRun=true')
    expect(res.body.errors).toEqual([{ row: 2, message: USERNAME_UNAVAILABLE }])
  })

  it('a real import, even with skipInvalid, writes nothing to that person', async () => {
    const before = await outsider()
    const file = csv(HEADER, [[OUTSIDER, '冒名者', '办公室党支部', '书记', 'Start2026x']])
    const strict = await upload(secretary, file, '?dryRun=false')
    expect(strict.status).toBe(422)
    const skipping = await upload(secretary, file, '?skipInvalid=true')
    expect(skipping.status).toBe(200)
    expect(skipping.body).toMatchObject({ created: 0, updated: 0 })
    expect(await outsider()).toEqual(before)
  })

  it('the admin, whose scope holds everyone, still sees the row as an update', async () => {
    const other = await outsider()
    const res = await upload(admin, csv(HEADER, [[OUTSIDER, other.name, other.org_name, '党员', '']]), '?dryRun=true')
    expect(res.body.errors).toEqual([])
    expect(res.body.preview).toMatchObject([{ username: OUTSIDER, action: 'update' }])
  })
})
