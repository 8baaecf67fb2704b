// The helper a single server process forks to copy its listening socket (listener-copies.ts): it
// receives the server's listening handle and sends it back as many times as asked — a process
// cannot pass a descriptor to itself, but each one passed over IPC arrives as a new descriptor —
// and leaves when the server disconnects. Plain JavaScript (see lib/import-built-or-source.mjs).
import { importBuiltOrSource } from './lib/import-built-or-source.mjs'

const { serveListenerCopies } = await importBuiltOrSource(import.meta.url, 'listener-copies')
serveListenerCopies(process)
