// The login limit in front (deploy/nginx/, README "nginx in front"): a storm beyond the site's rate
// is answered by nginx itself, in the shape the web client waits out (503, BUSY, Retry-After), and
// never reaches the app. Runs the repository's own two snippet files in a real nginx (Debian's
// package; .ci/run installs it) in front of a real app; skipped where nginx is not installed.
import { spawn, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { createTestContext, type TestContext } from './helpers/app.js'
import { DEMO_PASSWORD } from '../server/seed/demo.js'

const NGINX = '/usr/sbin/nginx'
const SNIPPETS = path.resolve(import.meta.dirname, '../deploy/nginx')
/** As in xuece-login-zone.conf and xuece-login.conf: the site's counter, and each address's. */
const RATE_PER_S = 50
const BURST = 100
const ADDRESS_BURST = 40

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

function nginxConf(dir: string, port: number, appPort: number) {
  return `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${SNIPPETS}/xuece-login-zone.conf;
  upstream xuece { server 127.0.0.1:${appPort}; keepalive 16; }
  server {
    listen 127.0.0.1:${port};
    server_name xuece.test;
    include ${SNIPPETS}/xuece-login.conf;
    location / { proxy_pass http://xuece; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}`
}

describe.runIf(fs.existsSync(NGINX))('the login limit in nginx, in front of the app', () => {
  let t: TestContext
  let nginx: ChildProcess
  let front: string
  let dir: string

  beforeAll(async () => {
    t = await createTestContext({ listen: true, trustProxy: true })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-nginx-'))
    const port = await freePort()
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, port, Number(new URL(t.baseUrl).port)))
    nginx = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    nginx.stderr!.on('data', (d) => (stderr += d))
    front = `http://127.0.0.1:${port}`
    for (let i = 0; ; i++) {
      const up = await fetch(`${front}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
      if (up) break
      if (i > 100 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  })

  afterAll(async () => {
    nginx?.kill('SIGTERM')
    await t?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  interface Answer {
    status: number
    headers: http.IncomingHttpHeaders
    body: any
  }
  /** A login through nginx from `from`, an address of the loopback network (127.0.0.0/8): each its own client to nginx. */
  const login = (username: string, password: string, from = '127.0.0.1') =>
    new Promise<Answer>((resolve, reject) => {
      const { port } = new URL(front)
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/auth/login',
          method: 'POST',
          localAddress: from,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let text = ''
          res.setEncoding('utf8')
          res.on('data', (d) => (text += d))
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? JSON.parse(text) : null }))
        },
      )
      req.on('error', reject)
      req.end(JSON.stringify({ username, password }))
    })
  const isShed = (r: Answer) => r.headers['x-xuece-shed'] === 'login'
  /** Until the site's counter has refilled after a wave. */
  const refill = () => new Promise((r) => setTimeout(r, Math.ceil((BURST / RATE_PER_S) * 1000) + 300))

  it('sheds a storm of many people beyond the burst in the app’s BUSY shape, without reaching the app, and lets logins in again after', async () => {
    // 250 people at once, from 25 addresses (10 each, within an address's own burst), each login for
    // an account of its own: the app alone would queue or refuse them itself.
    const started = performance.now()
    const answers = await Promise.all(
      Array.from({ length: 250 }, (_, i) => login(`storm${i}`, 'Wrong-password-1', `127.0.0.${2 + (i % 25)}`)),
    )
    const elapsedS = (performance.now() - started) / 1000
    const shed = answers.filter(isShed)
    const passed = answers.filter((r) => !isShed(r))

    // What nginx let through is the burst and what the rate refilled meanwhile; the rest it answered.
    expect(shed.length).toBeGreaterThan(0)
    expect(passed.length).toBeGreaterThanOrEqual(BURST)
    expect(passed.length).toBeLessThanOrEqual(BURST + 1 + Math.ceil(RATE_PER_S * elapsedS))
    for (const r of shed) {
      expect(r.status).toBe(503)
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      expect(r.body).toEqual({ error: { code: 'BUSY', message: expect.stringContaining('登录的人较多') } })
    }
    // Those let through are the app's own answers: wrong password (or its own queue's BUSY), never the proxy's.
    for (const r of passed) expect([401, 429, 503]).toContain(r.status)
    // And only they reached it: every wrong password the app saw is audited, and no shed name is.
    const shedNames = new Set(answers.flatMap((r, i) => (isShed(r) ? [`storm${i}`] : [])))
    const audited = await t.db
      .selectFrom('audit_log')
      .select(sql<string>`details->>'username'`.as('username'))
      .where('action', '=', 'auth.login_failed')
      .where(sql<string>`details->>'username'`, 'like', 'storm%')
      .execute()
    expect(audited.length).toBe(passed.filter((r) => r.status === 401).length)
    expect(audited.filter((a) => shedNames.has(a.username))).toEqual([])

    // The counter refills at the rate: a real member gets in once the wave has passed.
    await refill()
    const member = await login('dy0001', DEMO_PASSWORD, '127.0.0.30')
    expect(member.status).toBe(200)
    expect(member.body.accessToken).toEqual(expect.any(String))
  }, 60_000)

  it('one address flooding the login cannot spend the site’s budget: a member elsewhere still gets in at once', async () => {
    await refill()
    // 200 at once from one address: its own counter lets its burst through and sheds the rest,
    // which never count against the site's — so the site's burst is still there for everyone else.
    const flood = await Promise.all(Array.from({ length: 200 }, (_, i) => login(`flood${i}`, 'Wrong-password-1', '127.0.0.50')))
    const through = flood.filter((r) => !isShed(r)).length
    expect(through).toBeGreaterThanOrEqual(ADDRESS_BURST)
    expect(through).toBeLessThan(BURST)
    const member = await login('dy0002', DEMO_PASSWORD, '127.0.0.51')
    expect(member.status, JSON.stringify(member.body)).toBe(200)
  }, 60_000)
})
