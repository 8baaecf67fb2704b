// A large fan-out gives the event loop back between slices: whatever arrived meanwhile (a save,
// an answer) is handled before the rest of the fan-out, in order, with nothing dropped.
import { describe, expect, it } from 'vitest'
import { inSlices } from '../server/realtime/slices.js'

describe('inSlices', () => {
  it('delivers every item in order, a slice per turn, letting other work in between', async () => {
    const log: string[] = []
    const items = Array.from({ length: 7 }, (_, i) => `n${i}`)
    const done = inSlices(
      items,
      (item) => {
        log.push(item)
        // Work that arrives while the first slice goes out: it must not wait for the last one.
        if (item === 'n0') setImmediate(() => log.push('save'))
      },
      3,
    )
    expect(log).toEqual(['n0', 'n1', 'n2'])
    await done
    expect(log).toEqual(['n0', 'n1', 'n2', 'save', 'n3', 'n4', 'n5', 'n6'])
  })

  it('delivers a fan-out smaller than a slice at once', async () => {
    const log: number[] = []
    const done = inSlices([1, 2], (n) => log.push(n))
    expect(log).toEqual([1, 2])
    await done
  })
})
