// The bench's dealing of takers to load generators and the probe (tests/bench/deal.ts): the probe's
// figure is only the server's share of the tail if its takers are a fair sample of the start order.
import { describe, expect, it } from 'vitest'
import { dealTakers } from './bench/deal.js'

const range = (n: number) => Array.from({ length: n }, (_, i) => i)

describe('bench: dealing takers', () => {
  it('gives the probe exactly its count, spread over the whole start order, and deals the rest evenly', () => {
    const shares = dealTakers(range(2000), 2, 40)
    expect(shares).toHaveLength(3)
    const probe = shares[2]
    expect(probe).toHaveLength(40)
    // One in each fiftieth of the start order: the first wave second, the middle and the last all sampled.
    expect(probe[0]).toBeLessThan(50)
    expect(probe.at(-1)).toBeGreaterThanOrEqual(1950)
    expect(shares[0]).toHaveLength(980)
    expect(shares[1]).toHaveLength(980)
    expect([...shares.flat()].sort((a, b) => a - b)).toEqual(range(2000))
  })

  it('never gives the probe more than asked when the count does not divide evenly', () => {
    const shares = dealTakers(range(1003), 3, 7)
    expect(shares[3]).toHaveLength(7)
    expect(shares.flat()).toHaveLength(1003)
    expect(new Set(shares.flat()).size).toBe(1003)
  })

  it('without a probe, deals every taker round the load generators in order', () => {
    expect(dealTakers(range(5), 2, 0)).toEqual([
      [0, 2, 4],
      [1, 3],
    ])
  })
})
