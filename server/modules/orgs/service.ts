// Changing the org tree: each change and its audit row commit together.
import type { Deps } from '../../lib/deps.js'
import { audit } from '../../lib/audit.js'
import { notFound, unprocessable } from '../../lib/errors.js'
import type { Principal } from '../../lib/scope.js'
import { withTransaction } from '../../lib/transaction.js'
import type { OrgKind } from '../../db/types.js'
import * as q from './queries.js'
import { toOrgDto } from './schemas.js'

export async function listOrgTree(deps: Pick<Deps, 'db'>) {
  const [orgs, members] = await Promise.all([q.listOrgs(deps.db), q.countMembersByOrg(deps.db)])
  return orgs.map((o) => toOrgDto(o, members.get(o.id) ?? 0))
}

export async function createOrg(
  deps: Deps,
  principal: Principal,
  input: { name: string; kind: OrgKind; parentId: number | null; sort?: number },
) {
  const { name, kind, parentId, sort } = input
  const org = await withTransaction(deps, async (tx) => {
    const parent = parentId === null ? null : await q.findOrg(tx, parentId)
    if (parentId !== null && !parent) throw unprocessable(`上级组织 ${parentId} 不存在`, [{ field: 'parentId', message: '上级组织不存在' }])
    const created = await q.insertOrg(tx, { name: name.trim(), kind, parentId, parentPath: parent?.path ?? null, sort })
    await audit(tx, principal.userId, 'org.create', 'org', created.id, { name, parentId })
    return created
  })
  return toOrgDto(org)
}

export interface OrgPatch {
  parentId?: number | null
  name?: string
  kind?: OrgKind
  active?: boolean
  sort?: number
}

/** Renames, moves (with its whole subtree) or deactivates an org; never under itself. */
export async function updateOrg(deps: Deps, principal: Principal, id: number, input: OrgPatch) {
  // Only the fields named here: extra keys in a body must never reach the SQL.
  const { parentId, name, kind, active, sort } = input
  const patch = Object.fromEntries(Object.entries({ name, kind, active, sort }).filter(([, v]) => v !== undefined)) as Omit<
    OrgPatch,
    'parentId'
  >
  return withTransaction(deps, async (tx) => {
    const org = await q.findOrg(tx, id)
    if (!org) throw notFound('组织')
    if (parentId !== undefined && parentId !== org.parent_id) {
      const parent = parentId === null ? null : await q.findOrg(tx, parentId)
      if (parentId !== null && !parent) throw unprocessable('上级组织不存在', [{ field: 'parentId', message: '上级组织不存在' }])
      if (parent && parent.path.startsWith(org.path)) {
        throw unprocessable('不能把组织移动到它自己或它的下级组织之下', [{ field: 'parentId', message: '不能移动到自身下级' }])
      }
      await q.moveOrg(tx, org.id, org.path, parentId, parent?.path ?? null)
    }
    const updated = Object.keys(patch).length
      ? await q.updateOrg(tx, org.id, { ...patch, ...(patch.name && { name: patch.name.trim() }) })
      : await q.findOrg(tx, org.id)
    await audit(tx, principal.userId, 'org.update', 'org', org.id, input as Record<string, unknown>)
    return toOrgDto(updated!)
  })
}
