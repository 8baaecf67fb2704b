// The autosave maximum's search (tests/bench/find-max.ts, searchLoads): the ladder's rungs are 25 %
// to 100 % apart, so the search must look between the last rung that held and the first that missed,
// or the reported maximum is wherever a rung happens to fall below the knee; and one noisy step must
// not decide it, so a step that missed by its p99 is tried once more. A step here is a stand-in
// machine whose p99 crosses the limit above a known load; the real steps are tested against a
// running server in bench-find-max.test.ts.
import { describe, expect, it } from 'vitest'
import { searchLoads } from './bench/find-max.js'

/**
 * A machine that keeps p99 under the limit up to `knee` and not above it; 16 saves a second per load.
 * `noisyAt`: the first step at that load misses (p99 130 ms) whatever the knee, as a busy moment would.
 */
function machine(knee: number, { errorsAt, noisyAt }: { errorsAt?: number; noisyAt?: number } = {}) {
  const tried: number[] = []
  const runStep = async (load: number) => {
    const noisy = load === noisyAt && !tried.includes(load)
    tried.push(load)
    return { connections: load, rps: load * 16, p99: noisy ? 130 : load <= knee ? 40 : 160, errors: load === errorsAt ? 1 : 0 }
  }
  return { tried, runStep }
}

const SOCKET_LADDER = [128, 256, 512, 640, 768]
const HTTP_LADDER = [16, 32, 64, 128, 256, 512]

describe('bench: searching for the autosave maximum', () => {
  it('looks between the last rung that held and the first that missed, to within a sixteenth', async () => {
    const m = machine(600)
    const steps = await searchLoads(SOCKET_LADDER, 2, m.runStep)
    // 640 missed (twice: every miss by p99 is tried again); 576 held; 608 missed twice; the gap (32)
    // is then within 576 / 16.
    expect(m.tried).toEqual([128, 256, 512, 640, 640, 576, 608, 608])
    expect(steps.map((s) => s.connections)).toEqual([128, 256, 512, 576, 608, 640])
    const held = steps.filter((s) => s.p99 !== null && s.p99 <= 100 && s.errors === 0)
    expect(Math.max(...held.map((s) => s.rps))).toBe(576 * 16)
  })

  it('adds at most three steps, and rounds each load to a multiple of the client processes', async () => {
    const m = machine(260)
    await searchLoads(HTTP_LADDER, 1, m.runStep)
    expect(m.tried).toEqual([16, 32, 64, 128, 256, 512, 512, 384, 384, 320, 320, 288, 288])
    const odd = machine(600)
    await searchLoads(SOCKET_LADDER, 3, odd.runStep)
    for (const load of odd.tried.slice(odd.tried.lastIndexOf(640) + 1)) expect(load % 3).toBe(0)
  })

  it('does not let one noisy step decide: a miss by p99 alone is tried again, and counts only if it misses twice', async () => {
    const m = machine(600, { noisyAt: 256 })
    const steps = await searchLoads(SOCKET_LADDER, 2, m.runStep)
    expect(m.tried).toEqual([128, 256, 256, 512, 640, 640, 576, 608, 608])
    // Each load is reported once, with the first try of a load that was tried again beside it.
    expect(steps.map((s) => s.connections)).toEqual([128, 256, 512, 576, 608, 640])
    expect(steps.find((s) => s.connections === 256)).toMatchObject({ p99: 40, firstTry: { rps: 256 * 16, p99: 130 } })
    expect(steps.find((s) => s.connections === 640)).toMatchObject({ p99: 160, firstTry: { p99: 160 } })
    expect(steps.find((s) => s.connections === 512)!.firstTry).toBeUndefined()
  })

  it('counts a step with errors as missed at once, however fast its saves were', async () => {
    const m = machine(10_000, { errorsAt: 640 })
    const steps = await searchLoads(SOCKET_LADDER, 2, m.runStep)
    // A refused save is the server's answer, not noise: 640 is not tried again.
    expect(m.tried).toEqual([128, 256, 512, 640, 576, 608])
    expect(steps.find((s) => s.connections === 640)!.errors).toBe(1)
  })

  it('adds nothing when the first rung misses or no rung does', async () => {
    const first = machine(100)
    expect((await searchLoads(SOCKET_LADDER, 2, first.runStep)).map((s) => s.connections)).toEqual([128])
    expect(first.tried).toEqual([128, 128])
    const none = machine(10_000)
    expect((await searchLoads(SOCKET_LADDER, 2, none.runStep)).map((s) => s.connections)).toEqual(SOCKET_LADDER)
  })
})
