// The bench's phones come from many loopback addresses (tests/bench/addresses.ts): each office's
// members share one, offices differ, every address is in 127.0.0.0/8 and can be bound here.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { PHONES_PER_ADDRESS, officeAddress } from './bench/addresses.js'

describe('bench: phones from many addresses', () => {
  it('puts one office on one address and 20,000 takers on distinct valid loopback addresses', () => {
    expect(officeAddress(0)).toBe(officeAddress(PHONES_PER_ADDRESS - 1))
    expect(officeAddress(PHONES_PER_ADDRESS)).not.toBe(officeAddress(0))
    const all = new Set(Array.from({ length: 20_000 }, (_, i) => officeAddress(i)))
    expect(all.size).toBe(Math.ceil(20_000 / PHONES_PER_ADDRESS))
    for (const a of all) {
      expect(net.isIPv4(a)).toBe(true)
      expect(a.startsWith('127.')).toBe(true)
    }
  })

  it.runIf(process.platform === 'linux')('binds a connection to the last of them', async () => {
    const server = net.createServer((s) => s.end(s.remoteAddress ?? ''))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as net.AddressInfo).port
    const from = officeAddress(19_999)
    const seen = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ port, host: '127.0.0.1', localAddress: from })
      let data = ''
      c.on('data', (d) => (data += d))
      c.on('end', () => resolve(data))
      c.on('error', reject)
    })
    server.close()
    expect(seen).toBe(from)
  })
})
