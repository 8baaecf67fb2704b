import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { withErrors } from '../../lib/schemas.js'
import { Policy, PolicyPatch, PublicPolicy } from './schemas.js'
import { readPolicy, updatePolicy } from './service.js'
import { APP_VERSION } from './version.js'

/** The session rules that decide what a signed-in session may reach (see the auth plugin's toPrincipal). */
const PRINCIPAL_RULES = ['passwordMaxDays', 'totpRequiredForAdmins'] as const

export const policyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/policy',
    {
      config: { access: 'admin' },
      schema: { tags: ['policy'], summary: '合规设置（全部开关）', response: withErrors({ 200: Policy }) },
    },
    async () => readPolicy(app.db),
  )

  app.patch(
    '/policy',
    {
      config: { access: 'admin' },
      schema: { tags: ['policy'], summary: '修改合规设置（每项修改留痕）', body: PolicyPatch, response: withErrors({ 200: Policy }) },
    },
    async (req) => {
      const policy = await updatePolicy(app.deps, req.principal, req.body)
      // Every cached session holds what these rules made of it (password expired, TOTP to set up):
      // a change of them reaches every session at once, and sockets are checked against it again.
      if (PRINCIPAL_RULES.some((key) => req.body[key] !== undefined)) app.forgetSessions(() => true)
      return policy
    },
  )

  // The about page (主办单位, 备案号, version, privacy policy) and the switches every page obeys.
  app.get(
    '/about',
    {
      config: { access: 'signed-in', allowPendingTotp: true, allowAuditor: true, allowPendingPasswordChange: true },
      schema: {
        tags: ['policy'],
        summary: '关于：主办单位、备案号、版本、隐私政策，以及积分与排行是否开启',
        response: withErrors({ 200: PublicPolicy }),
      },
    },
    async () => {
      const p = await readPolicy(app.db)
      return {
        pointsEnabled: p.pointsEnabled,
        leaderboards: p.leaderboards,
        sponsor: p.sponsor,
        filingNumber: p.filingNumber,
        privacyPolicy: p.privacyPolicy,
        version: APP_VERSION,
      }
    },
  )
}
