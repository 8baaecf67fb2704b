import type { Transaction } from 'kysely'
import type { Database } from '../../db/types.js'

/**
 * Demo data: the fictional people have answered the notice and agreed to show their names, except
 * the members of one branch, who still meet the notice and show masked (张*) until they choose.
 */
export async function seedDemoConsent(tx: Transaction<Database>, notYetAskedOrg: string, at: Date) {
  const org = await tx.selectFrom('orgs').select('id').where('name', '=', notYetAskedOrg).executeTakeFirst()
  let q = tx.updateTable('users').set({ show_on_leaderboards: true, privacy_noticed_at: at })
  if (org) q = q.where('org_id', '!=', org.id)
  await q.execute()
}
