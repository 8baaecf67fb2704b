// A busy worker takes in as many waiting connections per event-loop turn as it has handles on the
// listening socket: libuv accepts one per handle per turn. Turns are counted, not timed: 400
// connections wait in the kernel's queue before the worker turns at all; with one handle it needs a
// turn for each, with eight handles an eighth of that.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '..')
const CONNECTIONS = 400

/** Runs the one-worker cluster with `copies` extra handles; resolves with the turns it needed. */
async function turnsToAccept(copies: number): Promise<number> {
  const goFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-accept-')), 'go')
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/accept-turns-cluster.ts', String(copies), goFile], {
    cwd: ROOT,
    env: { ...process.env, CONNECTIONS: String(CONNECTIONS) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  const sockets: net.Socket[] = []
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
      const poll = setInterval(() => {
        const m = /port (\d+)/.exec(out)
        if (m) {
          clearInterval(poll)
          resolve(Number(m[1]))
        }
      }, 20)
    })
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
    const m = /turns (\d+) accepted (\d+)/.exec(out)
    if (!m) throw new Error(`no count: ${out}`)
    expect(Number(m[2])).toBe(CONNECTIONS)
    return Number(m[1])
  } finally {
    sockets.forEach((s) => s.destroy())
    child.kill('SIGKILL')
  }
}

describe('listener copies', () => {
  it('one handle takes in one waiting connection per turn; eight take in eight', async () => {
    expect(await turnsToAccept(0)).toBeGreaterThanOrEqual(CONNECTIONS)
    // 50 turns if every turn finds all eight handles ready; allowance for a turn that finds fewer.
    expect(await turnsToAccept(7)).toBeLessThanOrEqual(CONNECTIONS / 8 + 25)
  }, 60_000)
})
