// The deployment's policy switches: stored rows over code defaults, read through a short cache
// (each node sees another node's change within seconds), written by admins with one audit row per
// changed switch in the same transaction.
import type { Kysely } from 'kysely'
import type { Database } from '../../db/types.js'
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { withTransaction } from '../../lib/transaction.js'
import type { Principal } from '../../lib/scope.js'
import { POLICY_DEFAULTS, POLICY_KEYS } from './defaults.js'
import { readSettings, writeSetting } from './queries.js'
import type { Policy, PolicyPatch } from './schemas.js'

const CACHE_MS = 2_000
const cache = new WeakMap<object, { at: number; policy: Policy }>()
const loading = new WeakMap<object, Promise<Policy>>()

/**
 * The policy, at most CACHE_MS old. Every session check asks for it, so when it expires the callers
 * of that moment share one read instead of each sending theirs into a pool that may be queueing.
 */
export async function readPolicy(db: Kysely<Database>): Promise<Policy> {
  const hit = cache.get(db)
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.policy
  let load = loading.get(db)
  if (!load) {
    const loaded = loadPolicy(db).finally(() => {
      if (loading.get(db) === loaded) loading.delete(db)
    })
    loading.set(db, loaded)
    load = loaded
  }
  return load
}

async function loadPolicy(db: Kysely<Database>): Promise<Policy> {
  const stored = new Map((await readSettings(db)).map((r) => [r.key, r.value]))
  const policy = { ...POLICY_DEFAULTS }
  for (const key of POLICY_KEYS) {
    const value = stored.get(key)
    if (value !== undefined && typeof value === typeof POLICY_DEFAULTS[key]) (policy as Record<string, unknown>)[key] = value
  }
  cache.set(db, { at: Date.now(), policy })
  return policy
}

/** Changes the given switches; each change leaves an audit row with its old and new value. */
export async function updatePolicy(deps: Deps, principal: Principal, patch: PolicyPatch): Promise<Policy> {
  const before = await readPolicy(deps.db)
  const now = deps.clock.now()
  await withTransaction(deps, async (tx) => {
    for (const key of POLICY_KEYS) {
      if (!(key in patch) || patch[key] === undefined) continue
      const value = patch[key]
      if (JSON.stringify(value) === JSON.stringify(before[key])) continue
      await writeSetting(tx, key, value, principal.userId, now)
      await audit(tx, principal.userId, 'policy.update', 'policy', key, { from: before[key], to: value })
    }
  })
  cache.delete(deps.db)
  // Callers from now on read the update, not a read that began before it.
  loading.delete(deps.db)
  return readPolicy(deps.db)
}

/** Whether a point rule earns at all under the current policy. */
export async function pointRuleEnabled(db: Kysely<Database>, rule: string): Promise<boolean> {
  const policy = await readPolicy(db)
  return policy.pointsEnabled && !policy.disabledPointRules.includes(rule)
}

/** Whether a secretary may see a list of individual study points (admins always may). */
export async function mayListIndividualPoints(db: Kysely<Database>, principal: Principal): Promise<boolean> {
  return principal.role === 'admin' || (await readPolicy(db)).secretaryIndividualLists
}

/** Organised work that reminders may be about when `remindersOrganisedOnly` is on. */
export const ORGANISED_WORK = ['exam', 'task', 'activity', 'contest', 'bulletin', 'feedback'] as const

/** Whether a reminder of this kind may be sent (study-habit nudges are off when the switch is on). */
export async function reminderAllowed(db: Kysely<Database>, kind: string): Promise<boolean> {
  return !(await readPolicy(db)).remindersOrganisedOnly || (ORGANISED_WORK as readonly string[]).includes(kind)
}
