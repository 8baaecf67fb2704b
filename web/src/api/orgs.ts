// The org tree (a flat list; the tree is built in useOrgs).
import { get, patch, post } from './client'
import type { CreateOrgInput, Org, UpdateOrgInput } from './contracts'

export const orgsApi = {
  list: () => get<Org[]>('/api/orgs'),
  create: (body: CreateOrgInput) => post<Org>('/api/orgs', body),
  update: (id: number, body: UpdateOrgInput) => patch<Org>(`/api/orgs/${id}`, body),
}
