// The helper a single server process forks to copy its listening socket (listener-copies.ts): it
// receives the server's listening handle and sends it back as many times as asked — a process
// cannot pass a descriptor to itself, but each one passed over IPC arrives as a new descriptor —
// and leaves when the server disconnects. Plain JavaScript on purpose, as sheet-worker.mjs: a forked
// process does not inherit the tsx loader, so from the sources this file registers tsx itself; in the
// build (dist/, where listener-copies.js sits beside it) it loads the compiled module directly.
import { existsSync } from 'node:fs'

const compiled = new URL('./listener-copies.js', import.meta.url)
let serveListenerCopies
if (existsSync(compiled)) {
  ;({ serveListenerCopies } = await import(compiled.href))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ serveListenerCopies } = await import('./listener-copies.ts'))
}

serveListenerCopies(process)
