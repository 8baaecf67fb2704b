// Reads an uploaded .xlsx/.csv into Grids (one a worksheet) off the event loop. Each file is parsed in its own worker
// thread with a memory cap and a time cap, so a hostile file costs at most one worker for at most
// SHEET_READ_TIMEOUT_MS, and the server keeps answering everyone else meanwhile. At most
// MAX_CONCURRENT_SHEET_READS workers exist at once; a few more uploads wait their turn, and beyond
// that the server says it is busy (503) instead of starting unbounded workers.
import { Worker } from 'node:worker_threads'
import { AppError } from '../errors.js'
import { FileFormatError } from './errors.js'
import type { SheetGrid } from './grid.js'
import type { SheetChoice, SheetJob, SheetJobResult, SheetKind } from './sheet-job.js'

export type { SheetChoice, SheetKind } from './sheet-job.js'
export type { CellError, Grid, SheetGrid } from './grid.js'

export const SHEET_READ_TIMEOUT_MS = 20_000
export const SHEET_WORKER_HEAP_MB = 256
export const MAX_CONCURRENT_SHEET_READS = 2
export const MAX_WAITING_SHEET_READS = 4

const WORKER_URL = new URL('./sheet-worker.mjs', import.meta.url)

const tooComplex = () => new FileFormatError('文件过大或过于复杂，无法在限定时间内读取')
const busy = () => new AppError(503, 'UNAVAILABLE', '服务器正在处理其他上传的表格，请稍后重试')

/** The worksheets of the file: the first only, or every one of an .xlsx (a CSV is one sheet either way). */
export async function readSheetGrids(
  bytes: Uint8Array,
  kind: SheetKind,
  opts: { sheets?: SheetChoice; timeoutMs?: number } = {},
): Promise<SheetGrid[]> {
  const release = await acquireSlot()
  try {
    return await readInWorker({ kind, bytes, sheets: opts.sheets ?? 'first' }, opts.timeoutMs ?? SHEET_READ_TIMEOUT_MS)
  } finally {
    release()
  }
}

// ---- a counting semaphore with a bounded queue ----

let running = 0
const waiting: (() => void)[] = []

function acquireSlot(): Promise<() => void> {
  if (running < MAX_CONCURRENT_SHEET_READS) {
    running++
    return Promise.resolve(once(releaseSlot))
  }
  if (waiting.length >= MAX_WAITING_SHEET_READS) return Promise.reject(busy())
  return new Promise((resolve) => waiting.push(() => resolve(once(releaseSlot))))
}

/** A freed slot passes straight to the next waiter, so `running` never exceeds the cap. */
function releaseSlot(): void {
  const next = waiting.shift()
  if (next) next()
  else running--
}

function once(fn: () => void): () => void {
  let done = false
  return () => {
    if (!done) {
      done = true
      fn()
    }
  }
}

// ---- one worker per file ----

async function readInWorker(request: SheetJob, timeoutMs: number): Promise<SheetGrid[]> {
  // A private copy can be transferred without detaching the caller's Buffer (which may share Node's pool).
  const copy = new Uint8Array(request.bytes)
  const worker = new Worker(WORKER_URL, {
    // Never inherit the parent's flags (--inspect, loaders): the entry registers what it needs.
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: SHEET_WORKER_HEAP_MB, maxYoungGenerationSizeMb: 32 },
  })
  try {
    return await new Promise<SheetGrid[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(tooComplex()), timeoutMs)
      const settle = (fn: () => void) => {
        clearTimeout(timer)
        fn()
      }
      worker.once('message', (result: SheetJobResult) => settle(() => (result.ok ? resolve(result.sheets) : reject(rebuildError(result)))))
      worker.once('error', (err: Error & { code?: string }) =>
        settle(() => reject(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? tooComplex() : err)),
      )
      worker.once('exit', (code) => settle(() => reject(new Error(`sheet worker exited with code ${code} before answering`))))
      const job: SheetJob = { ...request, bytes: copy }
      worker.postMessage(job, [copy.buffer])
    })
  } finally {
    // Awaited so the slot is only freed once the thread and its heap are really gone.
    await worker.terminate()
  }
}

function rebuildError(result: Extract<SheetJobResult, { ok: false }>): Error {
  if (result.formatError) return new FileFormatError(result.message)
  const err = new Error(`sheet worker failed: ${result.message}`)
  if (result.stack) err.stack = result.stack
  return err
}
