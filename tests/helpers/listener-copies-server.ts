// A server that accepts on 1 + <copies> handles, as the server does, and whose event loop is busy
// (run as a child by tests/listener-copies.test.ts): in `cluster`, one worker whose copies come from
// its primary; in `single`, one process whose copies come from a helper it forks (and which has left
// by the time the port is printed):
//
//   node --import tsx tests/helpers/listener-copies-server.ts cluster|single turns <copies> <go-file> <connections>
//   node --import tsx tests/helpers/listener-copies-server.ts cluster|single drain <copies> <go-file> <requests>
//
// Both print `port <n>` and then block until <go-file> exists — the test connects meanwhile, so
// every connection already waits in the kernel's queue — then turn the event loop, each turn busy for
// 5 ms (an idle worker would take each connection on its first handle).
// - turns: until <connections> are accepted, then prints `turns <t> accepted <n>` and exits.
// - drain: answers each request after 1.5 s; once <requests> run, prints `all running on <n>
//   connections after <t> turns` (n: the server's own count, what server.close() waits for); on
//   SIGTERM stops as the server does (copies first, then server.close()) and prints `closed with <r>
//   running` when the server says it is closed.
import cluster from 'node:cluster'
import fs from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { acceptOnListenerCopies, forkListenerCopier, serveListenerCopies } from '../../server/listener-copies.js'

const [topology, mode, copies, goFile, expected] = process.argv.slice(2)
const single = topology === 'single'

if (cluster.isPrimary && !single) {
  // As server/cluster.ts does: workers share the socket the primary bound.
  cluster.schedulingPolicy = cluster.SCHED_NONE
  const worker = cluster.fork()
  serveListenerCopies(worker)
  worker.on('exit', (code) => process.exit(code ?? 1))
  process.on('SIGTERM', () => worker.process.kill('SIGTERM'))
} else {
  let accepted = 0
  let running = 0
  let turns = 0
  const server = http.createServer((_req, res) => {
    if (++running === Number(expected))
      server.getConnections((_err, n) => console.log(`all running on ${n} connections after ${turns} turns`))
    setTimeout(() => {
      running--
      res.end('ok')
    }, 1500)
  })
  server.on('connection', () => accepted++)
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve))
  const copier = single ? forkListenerCopier() : null
  const stop = await acceptOnListenerCopies(server, {
    peer: copier ?? process,
    count: Number(copies),
    backlog: 4096,
    onError: (err) => console.error(err),
  })
  if (copier) {
    // As server/main.ts does: the helper has done its part and leaves once disconnected.
    const exited = new Promise((resolve) => copier.once('exit', resolve))
    copier.disconnect()
    await exited
  }
  process.on('SIGTERM', () => {
    stop()
    server.close(() => {
      console.log(`closed with ${running} running`)
      process.exit(0)
    })
  })
  console.log(`port ${(server.address() as AddressInfo).port}`)
  while (!fs.existsSync(goFile)) {
    // Blocked on purpose: nothing is accepted until every connection waits in the kernel's queue.
  }
  const done = () => (mode === 'turns' ? accepted : running) >= Number(expected)
  const turn = () => {
    turns++
    const busyUntil = Date.now() + 5
    while (Date.now() < busyUntil) {
      // A busy server's turn.
    }
    if (!done()) setImmediate(turn)
    else if (mode === 'turns') {
      console.log(`turns ${turns} accepted ${accepted}`)
      process.exit(0)
    }
  }
  setImmediate(turn)
}
