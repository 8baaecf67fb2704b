// Process figures for operators and the benchmark: memory, CPU, event-loop delay, sockets, and the
// database pool's waits.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { PoolReading } from '../../db/pool-meter.js'
import { millisecondPercentiles } from '../../lib/histogram.js'

/** The health module's runtime state: an event-loop monitor, closed with the app. */
export function processMetrics(socketCount: () => number, poolReading?: () => PoolReading) {
  const loop = monitorEventLoopDelay({ resolution: 10 })
  loop.enable()
  let lastCpu = process.cpuUsage()
  let lastAt = process.hrtime.bigint()

  const read = () => {
    const cpu = process.cpuUsage(lastCpu)
    const now = process.hrtime.bigint()
    const wallUs = Number(now - lastAt) / 1000
    lastCpu = process.cpuUsage()
    lastAt = now
    const mem = process.memoryUsage()
    const result = {
      rssMb: Math.round(mem.rss / 1048576),
      heapUsedMb: Math.round(mem.heapUsed / 1048576),
      /** CPU used since the previous call, as a share of one core (1.0 = one core busy). */
      cpuCores: wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 100) / 100 : 0,
      eventLoopDelayMs: millisecondPercentiles(loop),
      sockets: socketCount(),
      databasePool: poolReading?.(),
    }
    loop.reset()
    return result
  }
  return { read, close: () => loop.disable() }
}
