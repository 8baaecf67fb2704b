// Web-side shapes that are not one server schema, and the people/org types under their older names.
export type { Org, OrgKind, Role, User } from './contracts'

/** One page of a paged list (`?page=&pageSize=`). */
export interface Page<T> {
  items: T[]
  total: number
}

/** Query string from a filter object: empty values are left out. */
export function toQuery(params: object): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && String(v).trim() !== '') q.set(k, String(v).trim())
  }
  const s = q.toString()
  return s ? `?${s}` : ''
}
