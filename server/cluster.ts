// Several server processes on one machine (WORKERS > 1, PostgreSQL only). The primary prepares the
// database once (migrations, first start, bank sync, web build), then forks the workers and only
// watches them. The primary binds the port; every worker accepts from that one socket on handles of
// its own (node:cluster's SCHED_NONE, plus listener-copies.ts), so the primary never carries traffic.
// Not node:cluster's default round-robin: there the primary accepts every connection and hands a
// worker its next one only after that worker acknowledged the last — about one per worker per
// event-loop turn — and queues the rest without bound; with phones arriving faster than that, the
// queue outgrew their connect timeout and no connection got in any more (measured at 10,000 phones).
// Each worker is a whole server with its own event loop, file-descriptor budget and database pool;
// socket.io rooms are shared through the primary (cluster adapter) or Redis. A worker that dies is
// replaced; its sockets reconnect to the others, and its acknowledged answers are already committed.
import cluster, { type Worker } from 'node:cluster'
import { setupPrimary } from '@socket.io/cluster-adapter'
import { serveListenerCopies } from './listener-copies.js'

export interface ClusterOptions {
  workers: number
  log(message: string): void
}

/** Forks the workers and resolves once each of them listens; returns the function that stops them all. */
export async function runWorkers({ workers, log }: ClusterOptions): Promise<() => Promise<void>> {
  cluster.schedulingPolicy = cluster.SCHED_NONE
  setupPrimary()
  let stopping = false
  const fork = () => {
    const worker = cluster.fork()
    serveListenerCopies(worker)
    return worker
  }
  cluster.on('exit', (worker: Worker, code, signal) => {
    if (stopping) return
    log(`工作进程 ${worker.process.pid} 已退出（${signal ?? code}），正在重新启动`)
    fork()
  })
  const listening = Array.from({ length: workers }, () => new Promise<void>((resolve) => fork().once('listening', () => resolve())))
  await Promise.all(listening)
  return async () => {
    stopping = true
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead())
    // SIGTERM runs each worker's graceful close: queued autosaves are written before it exits.
    await Promise.all(
      alive.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve())
            w.process.kill('SIGTERM')
          }),
      ),
    )
  }
}

/** True in a process forked by runWorkers (nothing else forks the server). */
export const isClusterWorker = () => cluster.isWorker
