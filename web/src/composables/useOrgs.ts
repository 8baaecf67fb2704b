// The org tree, fetched once per page and shaped for element-plus trees and selects.
import { computed, ref } from 'vue'
import { orgsApi } from '@/api/orgs'
import type { Org } from '@/api/contracts'

export interface OrgNode extends Org {
  children: OrgNode[]
  label: string
  value: number
}

export function useOrgs() {
  const orgs = ref<Org[]>([])
  const loading = ref(false)

  async function load() {
    loading.value = true
    try {
      orgs.value = await orgsApi.list()
    } finally {
      loading.value = false
    }
  }

  const tree = computed<OrgNode[]>(() => {
    const nodes = new Map<number, OrgNode>(orgs.value.map((o) => [o.id, { ...o, children: [], label: o.name, value: o.id }]))
    const roots: OrgNode[] = []
    for (const o of orgs.value) {
      const node = nodes.get(o.id)!
      const parent = o.parentId ? nodes.get(o.parentId) : undefined
      if (parent) parent.children.push(node)
      else roots.push(node)
    }
    const sortDeep = (list: OrgNode[]) => {
      list.sort((a, b) => a.sort - b.sort || a.id - b.id)
      list.forEach((n) => sortDeep(n.children))
    }
    sortDeep(roots)
    return roots
  })

  const byId = computed(() => new Map(orgs.value.map((o) => [o.id, o])))
  /** Members in an org and everything below it. */
  const subtreeMembers = (org: Org) => orgs.value.filter((o) => o.path.startsWith(org.path)).reduce((n, o) => n + (o.members ?? 0), 0)

  return { orgs, tree, byId, loading, load, subtreeMembers }
}
