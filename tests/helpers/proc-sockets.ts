// Which process holds which TCP sockets, read from /proc (Linux): for tests that must know which
// cluster worker accepted a connection, or how many handles a worker accepts on. A socket shows in
// /proc/net/tcp{,6} with its local port, state and inode; a process holds it when one of its file
// descriptors links to `socket:[inode]`.
import fs from 'node:fs'

const STATES = { listen: '0A', established: '01' } as const

function inodesOn(port: number, state: keyof typeof STATES): Set<string> {
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 10) continue
      const localPort = parseInt(f[1]!.split(':').pop()!, 16)
      if (localPort === port && f[3] === STATES[state]) inodes.add(f[9]!)
    }
  }
  return inodes
}

/** How many of `pid`'s descriptors are sockets on the server side of `port` in that state. */
export function socketsOnPort(pid: number, port: number, state: keyof typeof STATES): number {
  const inodes = inodesOn(port, state)
  let count = 0
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m && inodes.has(m[1]!)) count++
    } catch {
      // Closed between the listing and the read.
    }
  }
  return count
}
