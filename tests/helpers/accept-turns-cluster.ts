// A cluster of one worker whose event loop is busy, to count how many turns it needs to take in
// connections that are already waiting (run as a child by tests/listener-copies.test.ts).
//
//   node --import tsx tests/helpers/accept-turns-cluster.ts <copies> <go-file>
//
// The worker listens (plus <copies> handles from the primary, as the server's workers do), prints
// `port <n>`, then blocks until <go-file> exists — the test connects meanwhile, so every connection
// is already in the kernel's queue — then turns its event loop, each turn busy for 5 ms, until all
// are accepted, and prints `turns <t> accepted <n>`.
import cluster from 'node:cluster'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { acceptOnListenerCopies, serveListenerCopies } from '../../server/listener-copies.js'

const copies = Number(process.argv[2])
const goFile = process.argv[3]!
const expected = Number(process.env.CONNECTIONS ?? 400)

if (cluster.isPrimary) {
  // As server/cluster.ts does: workers share the socket the primary bound.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const worker = cluster.fork()
  serveListenerCopies(worker)
  worker.on('exit', (code) => process.exit(code ?? 1))
} else {
  let accepted = 0
  const server = http.createServer()
  server.on('connection', () => accepted++)
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve))
  await acceptOnListenerCopies(server, { count: copies, backlog: 4096, onError: (err) => console.error(err) })
  console.log(`port ${(server.address() as AddressInfo).port}`)
  while (!fs.existsSync(goFile)) {
    // Blocked on purpose: nothing is accepted until every connection waits in the kernel's queue.
  }
  let turns = 0
  const turn = () => {
    turns++
    const busyUntil = Date.now() + 5
    while (Date.now() < busyUntil) {
      // A busy server's turn.
    }
    if (accepted < expected) setImmediate(turn)
    else {
      console.log(`turns ${turns} accepted ${accepted}`)
      process.exit(0)
    }
  }
  setImmediate(turn)
}
