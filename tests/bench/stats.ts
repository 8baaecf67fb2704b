// Latency samples and their summaries.
export class Samples {
  private values: number[] = []
  /** [second since start, latency ms] for the latency-over-time chart. */
  readonly timeline: [number, number][] = []
  constructor(private readonly t0 = Date.now()) {}
  add(ms: number, at = Date.now()) {
    this.values.push(ms)
    if (this.timeline.length < 20_000 || Math.random() < 0.05)
      this.timeline.push([Math.round((at - this.t0) / 100) / 10, Math.round(ms * 10) / 10])
  }
  addAll(values: number[]) {
    // A loop, not push(...values): a long exam day has more samples than call arguments may be.
    for (const v of values) this.values.push(v)
  }
  get count() {
    return this.values.length
  }
  get raw() {
    return this.values
  }
  percentile(p: number) {
    if (!this.values.length) return NaN
    const sorted = [...this.values].sort((a, b) => a - b)
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
  }
  summary() {
    return { count: this.count, median: round(this.percentile(50)), p99: round(this.percentile(99)) }
  }
}

export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null)

export function percentile(values: number[], p: number) {
  const s = new Samples()
  s.addAll(values)
  return s.percentile(p)
}
