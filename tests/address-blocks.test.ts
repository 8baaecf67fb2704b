// The process's memory of addresses blocked for spraying: it answers until the block ends, and a
// flood from ever-new addresses cannot make it grow without bound.
import { describe, expect, it } from 'vitest'
import { AddressBlocks } from '../server/modules/auth/address-blocks.js'

const at = (ms: number) => new Date(ms)

describe('AddressBlocks', () => {
  it('knows a block until it ends, then forgets it', () => {
    const blocks = new AddressBlocks()
    blocks.remember('10.0.0.1', at(10_000))
    expect(blocks.blockedUntil('10.0.0.1', at(9_999))).toEqual(at(10_000))
    expect(blocks.blockedUntil('10.0.0.2', at(9_999))).toBeNull()
    expect(blocks.blockedUntil('10.0.0.1', at(10_000))).toBeNull()
    expect(blocks.size).toBe(0)
  })

  it('holds at most its limit, forgetting the earliest remembered first', () => {
    const blocks = new AddressBlocks(3)
    for (let i = 1; i <= 5; i++) blocks.remember(`10.0.0.${i}`, at(60_000))
    expect(blocks.size).toBe(3)
    expect(blocks.blockedUntil('10.0.0.1', at(0))).toBeNull()
    expect(blocks.blockedUntil('10.0.0.2', at(0))).toBeNull()
    expect(blocks.blockedUntil('10.0.0.5', at(0))).toEqual(at(60_000))
    // Remembered again, an address counts as the latest.
    blocks.remember('10.0.0.3', at(90_000))
    blocks.remember('10.0.0.6', at(60_000))
    expect(blocks.blockedUntil('10.0.0.3', at(0))).toEqual(at(90_000))
    expect(blocks.blockedUntil('10.0.0.4', at(0))).toBeNull()
  })
})
