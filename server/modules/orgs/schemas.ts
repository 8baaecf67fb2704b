import { Type, type Static } from '@sinclair/typebox'
import { OrgKind, Text } from '../../lib/schemas.js'

export const OrgBody = Type.Object({
  id: Type.Integer(),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  name: Type.String(),
  kind: OrgKind,
  path: Type.String(),
  active: Type.Boolean(),
  sort: Type.Integer(),
  members: Type.Optional(Type.Integer()),
})

export const CreateOrgBody = Type.Object({
  name: Text(60),
  parentId: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  kind: OrgKind,
  sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
})

export const UpdateOrgBody = Type.Object(
  {
    name: Type.Optional(Text(60)),
    kind: Type.Optional(OrgKind),
    parentId: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    active: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { minProperties: 1 },
)

export function toOrgDto(
  o: { id: number; parent_id: number | null; name: string; kind: Static<typeof OrgKind>; path: string; active: boolean; sort: number },
  members?: number,
) {
  return {
    id: o.id,
    parentId: o.parent_id,
    name: o.name,
    kind: o.kind,
    path: o.path,
    active: o.active,
    sort: o.sort,
    ...(members !== undefined && { members }),
  }
}

// Types of the shapes above, for services and (type-only) for the web app.
export type OrgDto = Static<typeof OrgBody>
export type CreateOrgInput = Static<typeof CreateOrgBody>
export type UpdateOrgInput = Static<typeof UpdateOrgBody>
