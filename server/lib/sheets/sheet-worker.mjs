// Entry of the worker thread that reads uploaded sheets, in plain JavaScript (see
// import-built-or-source.mjs for why). One worker reads one file; it stays alive (the listener holds
// it) until the main thread terminates it, so its answer never races its own exit.
import { parentPort } from 'node:worker_threads'
import { importBuiltOrSource } from '../import-built-or-source.mjs'

const { runSheetJob } = await importBuiltOrSource(import.meta.url, 'sheet-job')

parentPort.on('message', (job) => {
  parentPort.postMessage(runSheetJob(job))
})
