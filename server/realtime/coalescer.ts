// Marks keys dirty and flushes each at most once per interval: a burst of 500 submissions becomes
// a handful of pushes, and the first push still leaves within `intervalMs` of the first change.
export class Coalescer<K> {
  private dirty = new Set<K>()
  private lastFlush = new Map<K, number>()
  private timers = new Map<K, ReturnType<typeof setTimeout>>()
  private running = new Set<K>()

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (key: K) => Promise<void>,
  ) {}

  mark(key: K) {
    this.dirty.add(key)
    if (this.timers.has(key) || this.running.has(key)) return
    const since = Date.now() - (this.lastFlush.get(key) ?? 0)
    const wait = Math.max(0, this.intervalMs - since)
    this.timers.set(
      key,
      setTimeout(() => void this.run(key), wait),
    )
  }

  private async run(key: K) {
    this.timers.delete(key)
    this.dirty.delete(key)
    this.running.add(key)
    this.lastFlush.set(key, Date.now())
    try {
      await this.flush(key)
    } finally {
      this.running.delete(key)
      // Changes that arrived while we were computing get their own (later) push.
      if (this.dirty.has(key)) this.mark(key)
    }
  }

  close() {
    this.timers.forEach(clearTimeout)
    this.timers.clear()
  }
}
