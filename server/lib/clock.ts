// The server's notion of "now". Exams, caps and sweeps read time only through a Clock, so tests
// can move time forward instead of sleeping.
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private current = new Date()) {}
  now() {
    return new Date(this.current)
  }
  set(to: Date | string) {
    this.current = new Date(to)
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms)
  }
}
