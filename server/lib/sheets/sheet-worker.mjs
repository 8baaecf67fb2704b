// Entry of the worker thread that reads uploaded sheets. Plain JavaScript on purpose: a worker does
// not inherit the tsx loader the server runs under (nor vitest's), so this file registers tsx itself
// and only then loads the TypeScript reader. One worker reads one file; it stays alive (the listener
// holds it) until the main thread terminates it, so its answer never races its own exit.
import { parentPort } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
const { runSheetJob } = await import('./sheet-job.ts')

parentPort.on('message', (job) => {
  parentPort.postMessage(runSheetJob(job))
})
