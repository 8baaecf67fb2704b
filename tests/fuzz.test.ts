// Every route of the OpenAPI description gets malformed ids, random bodies, junk queries,
// percent-encoded paths, NUL bytes and absolute-form request targets: whatever arrives, the answer
// is never a 5xx, and an encoded path is never a way around a route's access rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'

import net from 'node:net'

let t: TestContext
let routes: { method: string; path: string }[] = []
let tokens: Record<string, string> = {}

beforeAll(async () => {
  t = await createTestContext({ listen: true })
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> }
  routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => ({ method: method.toUpperCase(), path })))
  tokens = { admin: await t.login(DEMO_ADMIN.username), member: await t.login('dy0001') }
})
afterAll(async () => {
  await t?.close()
})

const BAD_IDS = ['abc', '-1', '0', '1.5', '99999999999', '2147483648', '%00', 'null', '1e3', ' 1']
const fill = (path: string, id: string) => path.replace(/\{[^}]+\}/g, encodeURIComponent(id).replace(/%2520/g, '%20'))
/** Logging out or changing a password would end the session the fuzzer itself uses. */
const SELF_DESTRUCTIVE = new Set(['POST /api/auth/logout', 'POST /api/auth/password'])

async function send(method: string, url: string, token: string, body?: unknown, raw?: string) {
  let req = t.http()[method.toLowerCase() as 'get'](url).set(bearer(token))
  if (raw !== undefined) req = req.set('content-type', 'application/json').send(raw)
  else if (body !== undefined && method !== 'GET' && method !== 'DELETE') {
    // Scalars and null go over the wire as raw JSON text (supertest only serialises objects).
    req =
      typeof body === 'object' && body !== null
        ? req.send(body as object)
        : req.set('content-type', 'application/json').send(JSON.stringify(body) ?? 'null')
  }
  const res = await req
  return res.status
}

describe('fuzzing every route', () => {
  it('covers the whole API description', () => {
    expect(routes.length).toBeGreaterThan(50)
  })

  it('malformed path ids never produce a 5xx', async () => {
    const failures: string[] = []
    for (const r of routes.filter((r) => r.path.includes('{'))) {
      for (const id of BAD_IDS) {
        const status = await send(r.method, fill(r.path, id), tokens.admin, {})
        if (status >= 500) failures.push(`${r.method} ${fill(r.path, id)} → ${status}`)
      }
    }
    expect(failures).toEqual([])
  })

  it('random JSON bodies and broken JSON never produce a 5xx', async () => {
    const failures: string[] = []
    const bodies = fc.sample(
      fc.oneof(
        fc.anything({ maxDepth: 2, maxKeys: 4 }),
        fc.record(
          {
            title: fc.string(),
            name: fc.string(),
            username: fc.string(),
            answer: fc.anything({ maxDepth: 1 }),
            paper: fc.anything({ maxDepth: 2 }),
            orgId: fc.integer(),
            userId: fc.integer(),
            points: fc.integer(),
            questionIds: fc.array(fc.integer()),
          },
          { requiredKeys: [] },
        ),
      ),
      { numRuns: 6, seed: 2021 },
    )
    for (const r of routes) {
      if (SELF_DESTRUCTIVE.has(`${r.method} ${r.path}`)) continue
      const url = fill(r.path, '1')
      for (const body of bodies) {
        const status = await send(r.method, url, tokens.admin, body)
        if (status >= 500) failures.push(`${r.method} ${url} ${JSON.stringify(body).slice(0, 80)} → ${status}`)
      }
      for (const raw of ['{"a":', '[', '"x"', 'null', '{"answer": 1e400}']) {
        if (r.method === 'GET' || r.method === 'DELETE') continue
        const status = await send(r.method, url, tokens.member, undefined, raw)
        if (status >= 500) failures.push(`${r.method} ${url} raw ${raw} → ${status}`)
      }
    }
    expect(failures).toEqual([])
  })

  it('junk query strings never produce a 5xx', async () => {
    const failures: string[] = []
    const queries = [
      'page=-1&pageSize=100000',
      'page=abc',
      'q=%25%5F%5C%27',
      'format=pdf',
      'period=year&by=x',
      'orgId=0',
      'category=' + '党'.repeat(300),
      'dryRun=maybe',
      'status=nope&type=essay&difficulty=9',
    ]
    for (const r of routes.filter((r) => r.method === 'GET')) {
      for (const q of queries) {
        const url = `${fill(r.path, '1')}?${q}`
        const status = await send('GET', url, tokens.admin)
        if (status >= 500) failures.push(`GET ${url.slice(0, 100)} → ${status}`)
      }
    }
    expect(failures).toEqual([])
  })

  it('percent-encoded paths reach the same route and the same access rule: no token, no 2xx', async () => {
    const failures: string[] = []
    const encodeLetter = (path: string, i: number) => {
      const at = path.slice(1).search(/[a-z]/) + 1 + i
      return at > 0 && at < path.length ? `${path.slice(0, at)}%${path.charCodeAt(at).toString(16)}${path.slice(at + 1)}` : path
    }
    for (const r of routes) {
      if (['/api/health', '/api/auth/login', '/api/auth/refresh'].includes(r.path)) continue
      for (const i of [0, 1, 5]) {
        const url = encodeLetter(fill(r.path, '1'), i)
        const res = await t.http()[r.method.toLowerCase() as 'get'](url)
        if (res.status >= 500 || (res.status >= 200 && res.status < 300)) failures.push(`${r.method} ${url} without token → ${res.status}`)
      }
    }
    expect(failures).toEqual([])
  })

  it('NUL bytes in bodies, queries and paths never produce a 5xx', async () => {
    const failures: string[] = []
    for (const r of routes) {
      if (SELF_DESTRUCTIVE.has(`${r.method} ${r.path}`)) continue
      const url = fill(r.path, '1')
      const body = { name: 'a\u0000b', title: '\u0000', username: 'x\u0000', answer: ['\u0000'], reason: '原因\u0000', stem: '题\u0000' }
      const statuses = [
        await send(r.method, `${url}?q=%00&category=%00`, tokens.admin, r.method === 'GET' ? undefined : body),
        await send(r.method, `${fill(r.path, '1%00')}`, tokens.admin, {}),
      ]
      for (const status of statuses) if (status >= 500) failures.push(`${r.method} ${url} with NUL → ${status}`)
    }
    expect(failures).toEqual([])
  })

  it('absolute-form request targets are routed like origin-form ones and never produce a 5xx', async () => {
    const port = Number(new URL(t.baseUrl).port)
    const raw = (method: string, target: string, token?: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1')
        let data = ''
        socket.on('data', (c) => {
          data += c.toString('latin1')
        })
        socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0)))
        socket.on('error', reject)
        const headers = [
          `${method} ${target} HTTP/1.1`,
          'Host: 127.0.0.1',
          'Connection: close',
          'Content-Length: 0',
          ...(token ? [`Authorization: Bearer ${token}`] : []),
        ]
        socket.write(`${headers.join('\r\n')}\r\n\r\n`)
      })
    const failures: string[] = []
    for (const r of routes.filter((x) => x.method === 'GET')) {
      const target = `http://127.0.0.1:${port}${fill(r.path, '1')}`
      const anonymous = await raw('GET', target)
      if (anonymous >= 500 || (anonymous < 300 && r.path !== '/api/health')) failures.push(`GET ${target} without token → ${anonymous}`)
      const member = await raw('GET', target, tokens.member)
      if (member >= 500 || member === 0) failures.push(`GET ${target} as member → ${member}`)
    }
    expect(failures).toEqual([])
  })
})
