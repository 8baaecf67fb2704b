// Entry of the worker thread that reads uploaded sheets. Plain JavaScript on purpose: a worker does
// not inherit the tsx loader the server runs under (nor vitest's), so from the sources this file
// registers tsx itself and only then loads the TypeScript reader; in the build (dist/, where
// sheet-job.js sits beside it) it loads the compiled reader directly. One worker reads one file; it stays alive (the listener
// holds it) until the main thread terminates it, so its answer never races its own exit.
import { existsSync } from 'node:fs'
import { parentPort } from 'node:worker_threads'

const compiled = new URL('./sheet-job.js', import.meta.url)
let runSheetJob
if (existsSync(compiled)) {
  ;({ runSheetJob } = await import(compiled.href))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ runSheetJob } = await import('./sheet-job.ts'))
}

parentPort.on('message', (job) => {
  parentPort.postMessage(runSheetJob(job))
})
