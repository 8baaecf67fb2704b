import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, withErrors } from '../../lib/schemas.js'
import { CreateOrgBody, OrgBody, UpdateOrgBody } from './schemas.js'
import { createOrg, listOrgTree, updateOrg } from './service.js'

export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const deps = app.deps

  // The tree itself is not secret: members pick units in leaderboards, staff pick scopes.
  app.get(
    '/orgs',
    {
      config: { access: 'signed-in' },
      schema: { tags: ['orgs'], summary: '组织树（扁平列表）', response: withErrors({ 200: Type.Array(OrgBody) }) },
    },
    async () => listOrgTree(deps),
  )

  app.post(
    '/orgs',
    {
      config: { access: 'admin' },
      schema: { tags: ['orgs'], summary: '新建组织', body: CreateOrgBody, response: withErrors({ 201: OrgBody }) },
    },
    async (req, reply) => reply.status(201).send(await createOrg(deps, req.principal, req.body)),
  )

  app.patch(
    '/orgs/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['orgs'],
        summary: '修改组织：改名、移动、停用',
        params: IdParams,
        body: UpdateOrgBody,
        response: withErrors({ 200: OrgBody }),
      },
    },
    async (req) => updateOrg(deps, req.principal, req.params.id, req.body),
  )
}
