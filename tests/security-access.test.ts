// Attack: access decided on the raw URL. `/%61pi/...` is routed to `/api/...` but skipped a hook
// that looked at `req.url`, answering 200 without a token. Access is now a declaration of each
// route, checked on the matched route; a route without one is refused.
import net from 'node:net'
import { createHmac } from 'node:crypto'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, TEST_JWT_SECRET, type TestContext } from './helpers/app.js'
import errorsPlugin from '../server/plugins/errors.js'
import authPlugin, { ROUTE_ACCESS } from '../server/plugins/auth.js'
import { systemClock } from '../server/lib/clock.js'

let t: TestContext
let member: string
beforeAll(async () => {
  t = await createTestContext({ listen: true })
  member = await t.login('dy0001')
})
afterAll(async () => {
  await t?.close()
})

/** Sends one raw HTTP/1.1 request (any request target, even absolute-form) and returns the status. */
function rawRequest(target: string, headers: Record<string, string> = {}): Promise<number> {
  const port = Number(new URL(t.baseUrl).port)
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let data = ''
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1')
    })
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)))
    socket.on('error', reject)
    const lines = [
      `GET ${target} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Connection: close',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ]
    socket.write(`${lines.join('\r\n')}\r\n\r\n`)
  })
}

describe('access is checked on the matched route, never on the raw URL', () => {
  it.each(['/%61pi/orgs', '/%61pi/study/materials/1', '/api/%6frgs', '/%61%70%69/exams', '/api/study/%6daterials'])(
    '%s without a token → 401',
    async (url) => {
      const res = await t.http().get(url)
      expect(res.status).toBe(401)
      expect(res.body.error.code).toBe('UNAUTHORIZED')
    },
  )

  it("an encoded path is held to the route's role: a member cannot create an org through /%61pi/orgs", async () => {
    const res = await t.http().post('/%61pi/orgs').set(bearer(member)).send({ name: '偷建组织', parentId: null, kind: 'branch' })
    expect(res.status).toBe(403)
    const made = await t.db.selectFrom('orgs').select('id').where('name', '=', '偷建组织').execute()
    expect(made).toEqual([])
  })

  it('absolute-form request targets are routed and checked the same way', async () => {
    expect(await rawRequest(`${t.baseUrl}/api/orgs`)).toBe(401)
    expect(await rawRequest(`${t.baseUrl}/%61pi/orgs`)).toBe(401)
    expect(await rawRequest(`${t.baseUrl}/api/orgs`, { Authorization: `Bearer ${member}` })).toBe(200)
    expect(await rawRequest(`${t.baseUrl}/api/health`)).toBe(200)
  })

  it('every route the app registered declares its access', () => {
    const undeclared = t.app.routeTable
      .filter((r) => !ROUTE_ACCESS.includes(r.config?.access as never))
      .map((r) => `${[r.method].flat().join(',')} ${r.url}`)
    expect(t.app.routeTable.length).toBeGreaterThan(60)
    expect(undeclared).toEqual([])
  })

  it('public routes are exactly the ones meant to be public', () => {
    const pub = t.app.routeTable
      .filter((r) => r.config?.access === 'public' && r.method !== 'HEAD' && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'))
      .map((r) => `${[r.method].flat().join(',')} ${r.url}`)
      .sort()
    expect(pub).toEqual(['GET /api/health', 'POST /api/auth/login', 'POST /api/auth/refresh'])
  })
})

describe('default deny', () => {
  it('a route that declares nothing is refused, even with a valid token', async () => {
    const app = Fastify({ logger: false })
    await app.register(errorsPlugin)
    await app.register(authPlugin, { secret: TEST_JWT_SECRET, accessTokenMinutes: 30, clock: systemClock })
    app.get('/undeclared', async () => ({ secret: 42 }))
    app.get('/declared', { config: { access: 'public' } }, async () => ({ ok: true }))
    await app.ready()
    const undeclared = await app.inject({ method: 'GET', url: '/undeclared' })
    expect(undeclared.statusCode).toBe(403)
    expect(undeclared.json().error.code).toBe('FORBIDDEN')
    expect((await app.inject({ method: 'GET', url: '/declared' })).statusCode).toBe(200)
    await app.close()
  })

  it('a signed token without an expiry is refused', async () => {
    const session = await t.db.selectFrom('sessions').select(['id', 'user_id']).where('revoked_at', 'is', null).executeTakeFirstOrThrow()
    // Signed with the real secret (as a leaked-secret or buggy issuer would), but with no `exp`.
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: session.user_id, sid: session.id })}`
    const forever = `${unsigned}.${createHmac('sha256', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`
    expect(t.app.jwt.verify(forever)).toMatchObject({ sid: session.id }) // the signature itself is good
    const res = await t.http().get('/api/me').set(bearer(forever))
    expect(res.status).toBe(401)
  })
})
