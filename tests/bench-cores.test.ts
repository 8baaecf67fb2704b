// The bench's account of where the cores go (tests/bench/proc.ts), checked against processes whose
// behaviour is known: a thread that spins is always either on a CPU or ready and waiting for one,
// whatever else the machine is doing; a process that sleeps is neither.
import { spawn, type ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { meanCores, sampleTree } from './bench/proc.js'

const children: ChildProcess[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
})

/** A node process that spins (`busy`) or sleeps, started and ready. */
async function child(kind: 'busy' | 'idle'): Promise<ChildProcess> {
  const code = kind === 'busy' ? 'process.send("ready"); for (;;) {}' : 'process.send("ready"); setInterval(() => {}, 1000)'
  const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] })
  children.push(c)
  await new Promise((resolve) => c.once('message', resolve))
  return c
}

describe.runIf(process.platform === 'linux')('bench: where the cores go', () => {
  it('counts a spinning event loop as on a CPU or waiting for one the whole time, and an idle one as neither', async () => {
    const busy = await child('busy')
    const idle = await child('idle')
    const busyTree = sampleTree(busy.pid!, 400)
    const idleTree = sampleTree(idle.pid!, 400, () => [busy.pid!])
    await new Promise((resolve) => setTimeout(resolve, 1_700))
    const spinning = meanCores(busyTree.stop())!
    const sleeping = meanCores(idleTree.stop())!

    expect(spinning.loopRun + spinning.loopWait).toBeGreaterThan(0.8)
    expect(spinning.loopRun + spinning.loopWait).toBeLessThan(1.2)
    expect(spinning.server).toBeGreaterThan(0)
    expect(sleeping.loopRun + sleeping.loopWait).toBeLessThan(0.1)
    // The spinning process, named as a load generator, is counted as one; the machine holds them all.
    expect(sleeping.loadgens).toBeGreaterThan(0)
    expect(sleeping.machine).toBeGreaterThanOrEqual(sleeping.loadgens - 0.05)
  })
})
