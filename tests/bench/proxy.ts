// `--proxy nginx`: the bench's clients reach the server through nginx, as the README's deployment
// does. Why it matters here: Node 20's libuv accepts one new connection per event-loop turn, so a
// busy server lets new connections wait in the kernel's accept queue (seen: ~970 queued, 7.6 s
// waits, all of the start p99). nginx accepts at once and sends API requests over a few kept-alive
// upstream connections; only websockets still need a connection of their own to the server.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { spawn, execFileSync } from 'node:child_process'

export interface Proxy {
  base: string
  stop(): Promise<void>
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })

/**
 * The deployment's login limit (README, "nginx in front"), both counters included as they are: the
 * bench's phones come from their offices' addresses (addresses.ts), as members do.
 */
const LOGIN_LIMIT = path.resolve(import.meta.dirname, '../../deploy/nginx')

/** nginx in front of `upstreamPort`, with the README's proxy settings and login limit (plain HTTP, no caching). */
export async function startNginx(upstreamPort: number): Promise<Proxy> {
  const bin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p))
  if (!bin) throw new Error('--proxy nginx needs nginx: apt-get install -y nginx')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-bench-nginx-'))
  const port = await freePort()
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join('\n  ')
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    // Four workers: a websocket through nginx takes two connections (the phone's and the upstream's),
    // and one process here may hold at most 20,000 open files, so 20,000 takers need more than two.
    `worker_processes 4;
worker_rlimit_nofile 19000;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 18000; multi_accept on; }
http {
  access_log off;
  ${temp}
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  include ${LOGIN_LIMIT}/xuece-login-zone.conf;
  upstream xuece { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port} backlog=4096 reuseport;
    client_max_body_size 32m;
    include ${LOGIN_LIMIT}/xuece-login.conf;
    location /socket.io/ {
      proxy_pass http://xuece;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 120s;
    }
    location / {
      proxy_pass http://xuece;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`,
  )
  execFileSync(bin, ['-t', '-q', '-p', dir, '-c', path.join(dir, 'nginx.conf')])
  const child = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
    })
    if (up) break
    if (i > 50) throw new Error(`nginx did not start; see ${dir}/error.log`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    base: `http://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGQUIT')
      await exited
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
