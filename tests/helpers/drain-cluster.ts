// A cluster of one worker whose HTTP server accepts on 1 + <copies> handles and answers every
// request after 1.5 s, printing `all running on <n> connections` (the server's own count) once
// <requests> are running; on SIGTERM it stops as the
// server does (copies first, then server.close()) and prints how many requests were still running
// when the server said it was closed (run as a child by tests/listener-copies.test.ts).
//
//   node --import tsx tests/helpers/drain-cluster.ts <copies> <requests> <go-file>
import cluster from 'node:cluster'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { acceptOnListenerCopies, serveListenerCopies } from '../../server/listener-copies.js'

const copies = Number(process.argv[2])
const expected = Number(process.argv[3])
const goFile = process.argv[4]!

if (cluster.isPrimary) {
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const worker = cluster.fork()
  serveListenerCopies(worker)
  worker.on('exit', (code) => process.exit(code ?? 1))
  process.on('SIGTERM', () => worker.process.kill('SIGTERM'))
} else {
  let running = 0
  let turns = 0
  const server = http.createServer((_req, res) => {
    // What the server counts as its connections is what server.close() waits for.
    if (++running === expected) server.getConnections((_err, n) => console.log(`all running on ${n} connections after ${turns} turns`))
    setTimeout(() => {
      running--
      res.end('ok')
    }, 1500)
  })
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve))
  const stop = await acceptOnListenerCopies(server, { count: copies, backlog: 4096, onError: (err) => console.error(err) })
  process.on('SIGTERM', () => {
    stop()
    server.close(() => {
      console.log(`closed with ${running} running`)
      process.exit(0)
    })
  })
  console.log(`port ${(server.address() as AddressInfo).port}`)
  // Busy, as under load, until the test's requests wait in the kernel's queue (it creates <go-file>),
  // then turning 5-ms turns until they all run: every handle takes one a turn (an idle worker
  // takes each connection on its first handle).
  while (!fs.existsSync(goFile)) {
    // Blocked on purpose.
  }
  const turn = () => {
    turns++
    const busyUntil = Date.now() + 5
    while (Date.now() < busyUntil) {
      // A busy server's turn.
    }
    if (running < expected) setImmediate(turn)
  }
  setImmediate(turn)
}
