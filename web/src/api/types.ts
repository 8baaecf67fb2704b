// Shapes the API answers with.
export type Role = 'admin' | 'secretary' | 'member'
export type OrgKind = 'department' | 'branch' | 'unit' | 'agency'

export interface User {
  id: number
  username: string
  name: string
  role: Role
  orgId: number
  mustChangePassword: boolean
  active?: boolean
  orgName?: string
}

export interface Org {
  id: number
  parentId: number | null
  name: string
  kind: OrgKind
  path: string
  active: boolean
  sort: number
  members?: number
}

export interface Page<T> { items: T[]; total: number }

export interface ImportResult<P = Record<string, unknown>> {
  created?: number
  updated?: number
  imported?: number
  duplicates?: unknown
  errors: { row: number; message: string }[]
  dryRun?: boolean
  preview?: P[]
}
