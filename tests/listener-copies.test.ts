// A busy worker takes in as many waiting connections per event-loop turn as it has handles on the
// listening socket: libuv accepts one per handle per turn. Turns are counted, not timed: 400
// connections wait in the kernel's queue before the worker turns at all; with one handle it needs a
// turn for each, with eight handles an eighth of that.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '..')
const CONNECTIONS = 400

type Topology = 'cluster' | 'single'

/** Runs the fixture server with `copies` extra handles; resolves with the turns it needed. */
async function turnsToAccept(topology: Topology, copies: number): Promise<number> {
  const goFile = newGoFile()
  const { child, out, port } = await startFixture([topology, 'turns', String(copies), goFile, String(CONNECTIONS)])
  const sockets: net.Socket[] = []
  try {
    // The worker is blocked: these complete in the kernel and wait in its accept queue.
    await Promise.all(
      Array.from({ length: CONNECTIONS }, () => {
        const socket = net.connect(port, '127.0.0.1')
        sockets.push(socket)
        return new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
      }),
    )
    fs.writeFileSync(goFile, '')
    await new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const m = /turns (\d+) accepted (\d+)/.exec(out.text)
    if (!m) throw new Error(`no count: ${out.text}`)
    expect(Number(m[2])).toBe(CONNECTIONS)
    return Number(m[1])
  } finally {
    sockets.forEach((s) => s.destroy())
    child.kill('SIGKILL')
  }
}

/** Where the test tells the blocked worker to turn (the file's existence). */
const newGoFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-accept-')), 'go')

/** Starts the fixture server (tests/helpers/listener-copies-server.ts); resolves with the child, its output so far, and its port. */
async function startFixture(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/listener-copies-server.ts', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const out = { text: '' }
  child.stdout!.on('data', (d) => (out.text += d))
  const port = await new Promise<number>((resolve, reject) => {
    const poll = setInterval(() => {
      const m = /port (\d+)/.exec(out.text)
      if (m) {
        clearInterval(poll)
        resolve(Number(m[1]))
      }
    }, 20)
    child.once('exit', (code) => {
      clearInterval(poll)
      reject(new Error(`exited ${code}: ${out.text}`))
    })
  })
  return { child, out, port }
}

describe('listener copies', () => {
  it('one handle takes in one waiting connection per turn; eight take in eight', async () => {
    expect(await turnsToAccept('cluster', 0)).toBeGreaterThanOrEqual(CONNECTIONS)
    // 50 turns if every turn finds all eight handles ready; allowance for a turn that finds fewer.
    expect(await turnsToAccept('cluster', 7)).toBeLessThanOrEqual(CONNECTIONS / 8 + 25)
  }, 60_000)

  it('a single process gets its copies from a helper, which then leaves', async () => {
    // The fixture waits for the helper's exit before it prints its port, so a helper that stayed
    // would fail this by timeout.
    expect(await turnsToAccept('single', 0)).toBeGreaterThanOrEqual(CONNECTIONS)
    expect(await turnsToAccept('single', 7)).toBeLessThanOrEqual(CONNECTIONS / 8 + 25)
  }, 60_000)

  it('a graceful stop waits for requests on connections the copies accepted', async () => {
    const goFile = newGoFile()
    const { child, out, port } = await startFixture(['cluster', 'drain', '3', goFile, '20'])
    try {
      // New connections each, so the four handles share them (each accepts one a turn).
      const replies = Array.from(
        { length: 20 },
        () =>
          new Promise<string>((resolve, reject) =>
            http
              .get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
                let body = ''
                res.on('data', (d) => (body += d))
                res.on('end', () => resolve(body))
              })
              .on('error', reject),
          ),
      )
      // The worker is blocked: give the connections time to wait in its queue, then let it turn.
      await new Promise((r) => setTimeout(r, 300))
      fs.writeFileSync(goFile, '')
      while (!out.text.includes('all running')) await new Promise((r) => setTimeout(r, 20))
      // The four handles took them in (five turns for 20; one handle would need 20), and every
      // connection counts as the server's, those the copies accepted too.
      const running = /all running on (\d+) connections after (\d+) turns/.exec(out.text)
      expect(Number(running?.[2])).toBeLessThanOrEqual(10)
      expect(Number(running?.[1])).toBe(20)
      child.kill('SIGTERM')
      expect(await Promise.all(replies)).toEqual(Array(20).fill('ok'))
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())))
      expect(out.text).toMatch(/closed with 0 running/)
    } finally {
      child.kill('SIGKILL')
    }
  }, 30_000)
})
