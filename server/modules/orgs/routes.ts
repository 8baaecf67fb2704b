import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, withErrors } from '../../lib/schemas.js'
import { notFound, unprocessable } from '../../lib/errors.js'
import { audit } from '../../lib/audit.js'
import * as q from './queries.js'
import { CreateOrgBody, OrgBody, UpdateOrgBody, toOrgDto } from './schemas.js'

export const orgRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The tree itself is not secret: members pick units in leaderboards, staff pick scopes.
  app.get('/orgs', {
    config: { access: 'signed-in' },
    schema: { tags: ['orgs'], summary: '组织树（扁平列表）', response: withErrors({ 200: Type.Array(OrgBody) }) },
  }, async () => {
    const [orgs, members] = await Promise.all([q.listOrgs(app.db), q.countMembersByOrg(app.db)])
    return orgs.map((o) => toOrgDto(o, members.get(o.id) ?? 0))
  })

  app.post('/orgs', {
    config: { access: 'admin' },
    schema: { tags: ['orgs'], summary: '新建组织', body: CreateOrgBody, response: withErrors({ 201: OrgBody, 422: Type.Any() }) },
  }, async (req, reply) => {
    const { name, kind, parentId, sort } = req.body
    const org = await app.db.transaction().execute(async (tx) => {
      const parent = parentId === null ? null : await q.findOrg(tx, parentId)
      if (parentId !== null && !parent) throw unprocessable(`上级组织 ${parentId} 不存在`, [{ field: 'parentId', message: '上级组织不存在' }])
      const created = await q.insertOrg(tx, { name: name.trim(), kind, parentId, parentPath: parent?.path ?? null, sort })
      await audit(tx, req.principal.userId, 'org.create', 'org', created.id, { name, parentId })
      return created
    })
    return reply.status(201).send(toOrgDto(org))
  })

  app.patch('/orgs/:id', {
    config: { access: 'admin' },
    schema: { tags: ['orgs'], summary: '修改组织：改名、移动、停用', params: IdParams, body: UpdateOrgBody, response: withErrors({ 200: OrgBody, 422: Type.Any() }) },
  }, async (req) => {
    // Only the fields the schema names: extra keys in a body must never reach the SQL.
    const { parentId, name, kind, active, sort } = req.body
    const patch = Object.fromEntries(Object.entries({ name, kind, active, sort }).filter(([, v]) => v !== undefined)) as { name?: string; kind?: typeof kind; active?: boolean; sort?: number }
    return app.db.transaction().execute(async (tx) => {
      const org = await q.findOrg(tx, req.params.id)
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
      await audit(tx, req.principal.userId, 'org.update', 'org', org.id, req.body)
      return toOrgDto(updated!)
    })
  })
}
