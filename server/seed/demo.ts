// Demo data modelled on the customer's own 2021 report: the department, its 机关党委 with branches
// named after 处室, two affiliated schools and two dispatched agencies, ~150 members.
import type { Kysely, Transaction } from 'kysely'
import type { Database, OrgKind, Role } from '../db/types.js'
import { hashPassword } from '../lib/passwords.js'
import { insertOrg } from '../modules/orgs/queries.js'
import { demoNames } from './demo-names.js'
import { seedMaterials } from './materials.js'
import { seedCampaign } from './campaign.js'
import { seedDemoConsent } from '../modules/privacy/index.js'
import { DEMO_KV_KEY } from './demo-state.js'

export const DEMO_PASSWORD = 'Demo@2026'
export const DEMO_ADMIN = { username: 'admin', password: 'Admin@2026' }

interface OrgSpec {
  name: string
  kind: OrgKind
  /** Members in this org (branches) and the username of its secretary. */
  members?: number
  secretary?: string
  children?: OrgSpec[]
}

export const DEMO_TREE: OrgSpec = {
  name: '省工业和信息化厅',
  kind: 'department',
  children: [
    {
      name: '厅机关党委',
      kind: 'department',
      children: [
        { name: '办公室党支部', kind: 'branch', members: 14, secretary: 'sj_bgs' },
        { name: '政策法规处党支部', kind: 'branch', members: 11, secretary: 'sj_zcfg' },
        { name: '运行监测协调处党支部', kind: 'branch', members: 12, secretary: 'sj_yxjc' },
        { name: '电子信息处党支部', kind: 'branch', members: 13, secretary: 'sj_dzxx' },
        { name: '原材料工业处党支部', kind: 'branch', members: 10, secretary: 'sj_ycl' },
        { name: '机关离退休干部党支部', kind: 'branch', members: 9, secretary: 'sj_ltx' },
      ],
    },
    {
      name: '省电子信息职业技术学院党委',
      kind: 'unit',
      children: [
        { name: '学院机关党支部', kind: 'branch', members: 16, secretary: 'sj_xyjg' },
        { name: '计算机学院教工党支部', kind: 'branch', members: 14, secretary: 'sj_jsj' },
      ],
    },
    {
      name: '省电子信息高级技工学校党委',
      kind: 'unit',
      children: [
        { name: '学校机关党支部', kind: 'branch', members: 13, secretary: 'sj_xxjg' },
        { name: '教师第一党支部', kind: 'branch', members: 12, secretary: 'sj_js1' },
      ],
    },
    { name: '省无线电监测站党支部', kind: 'agency', members: 9, secretary: 'sj_wxd' },
    { name: '省中小企业服务中心党支部', kind: 'agency', members: 8, secretary: 'sj_zxqy' },
  ],
}

export interface DemoAccount {
  username: string
  password: string
  name: string
  role: Role
  org: string
}

/** Seeds the tree and people; returns the accounts worth printing. */
export async function seedDemo(db: Kysely<Database>): Promise<DemoAccount[]> {
  const people: { username: string; name: string; role: Role; orgId: number; orgName: string; password: string }[] = []
  const names = demoNames(200)
  let memberNo = 1

  async function addOrg(tx: Transaction<Database>, spec: OrgSpec, parent: { id: number; path: string } | null, sort: number) {
    const org = await insertOrg(tx, {
      name: spec.name,
      kind: spec.kind,
      parentId: parent?.id ?? null,
      parentPath: parent?.path ?? null,
      sort,
    })
    if (!parent)
      people.push({
        username: DEMO_ADMIN.username,
        name: '系统管理员',
        role: 'admin',
        orgId: org.id,
        orgName: org.name,
        password: DEMO_ADMIN.password,
      })
    if (spec.secretary)
      people.push({
        username: spec.secretary,
        name: names.pop()!,
        role: 'secretary',
        orgId: org.id,
        orgName: org.name,
        password: DEMO_PASSWORD,
      })
    for (let i = 0; i < (spec.members ?? 0) - 1; i++) {
      people.push({
        username: `dy${String(memberNo++).padStart(4, '0')}`,
        name: names.pop()!,
        role: 'member',
        orgId: org.id,
        orgName: org.name,
        password: DEMO_PASSWORD,
      })
    }
    for (const [i, child] of (spec.children ?? []).entries()) await addOrg(tx, child, org, i)
  }

  await db.transaction().execute(async (tx) => {
    await addOrg(tx, DEMO_TREE, null, 0)
    // One hash per distinct password: demo people share theirs, and 150 Argon2 runs would slow every start.
    const hashes = new Map<string, string>()
    for (const pw of new Set(people.map((p) => p.password))) hashes.set(pw, await hashPassword(pw))
    // Passwords age from the seeding: a policy's passwordMaxDays applies to demo accounts too.
    const seededAt = new Date()
    await tx
      .insertInto('users')
      .values(
        people.map((p) => ({
          username: p.username,
          name: p.name,
          role: p.role,
          org_id: p.orgId,
          password_hash: hashes.get(p.password)!,
          password_changed_at: seededAt,
        })),
      )
      .execute()
    await seedDemoConsent(tx, '省中小企业服务中心党支部', new Date())
    // Marks the database as the demo (see demo-state.ts): the login page lists the demo accounts
    // only while the admin's hash is still this one.
    await tx
      .insertInto('kv')
      .values({ key: DEMO_KV_KEY, value: hashes.get(DEMO_ADMIN.password)! })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: hashes.get(DEMO_ADMIN.password)! }))
      .execute()
  })

  await seedMaterials(db)
  await seedCampaign(db)

  const firstMember = people.find((p) => p.role === 'member')!
  return people
    .filter((p) => p.role !== 'member' || p === firstMember)
    .map((p) => ({ username: p.username, password: p.password, name: p.name, role: p.role, org: p.orgName }))
}
