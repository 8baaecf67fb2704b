// Reading node:perf_hooks histograms, which count in nanoseconds, as the milliseconds people read.
import type { Histogram } from 'node:perf_hooks'

/** p50, p99 and max in milliseconds to 0.01 (all 0 when nothing was recorded). */
export function millisecondPercentiles(h: Histogram) {
  const ms = (ns: number) => Math.round(ns / 1e4) / 100
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) }
}
