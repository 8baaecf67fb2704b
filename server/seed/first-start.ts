// First start: an empty database gets an admin (ADMIN_PASSWORD), demo data (embedded
// database, no ADMIN_PASSWORD), or — on PostgreSQL without ADMIN_PASSWORD — a refusal to start.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/types.js'
import { hashPassword, passwordProblem } from '../lib/passwords.js'
import { insertOrg } from '../modules/orgs/queries.js'
import { seedDemo, type DemoAccount } from './demo.js'

export class FirstStartError extends Error {}

export type FirstStartOutcome = { kind: 'existing' } | { kind: 'admin' } | { kind: 'demo'; accounts: DemoAccount[] }

export async function ensureFirstStart(
  db: Kysely<Database>,
  opts: { adminPassword?: string; embedded: boolean; seedDemo: boolean },
): Promise<FirstStartOutcome> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from users`.execute(db)
  if (rows[0].n > 0) return { kind: 'existing' }

  if (opts.adminPassword) {
    const problem = passwordProblem(opts.adminPassword, 'admin')
    if (problem) throw new FirstStartError(`ADMIN_PASSWORD 不符合密码要求：${problem}`)
    const passwordHash = await hashPassword(opts.adminPassword)
    await db.transaction().execute(async (tx) => {
      const root = await insertOrg(tx, { name: '本单位', kind: 'department', parentId: null, parentPath: null })
      await tx
        .insertInto('users')
        // The password's age counts from now: a policy's passwordMaxDays applies to this admin too.
        .values({
          username: 'admin',
          name: '系统管理员',
          role: 'admin',
          org_id: root.id,
          password_hash: passwordHash,
          password_changed_at: new Date(),
        })
        .execute()
    })
    return { kind: 'admin' }
  }
  if (opts.embedded && opts.seedDemo) return { kind: 'demo', accounts: await seedDemo(db) }
  throw new FirstStartError(
    '数据库是空的，且未设置 ADMIN_PASSWORD。请设置 ADMIN_PASSWORD 环境变量以创建管理员账号 admin（例如 ADMIN_PASSWORD=请换成强密码 npm start）。',
  )
}
