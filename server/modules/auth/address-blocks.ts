// Addresses this process has seen blocked for password spraying (too many failed logins across
// accounts), remembered until their block ends. A blocked address is then turned away before it
// takes a place in the hashing queue or sends a statement. Read from the database each time, a
// flood from such an address — every request answered 429 only after reading its block — held
// places in the hashing queue for the length of those reads, and everyone else's logins were
// refused 503 as if a storm were on. The block itself stays in the database, shared by every node;
// this is only a memory of it (blocks are never lifted early, so it cannot keep one too long).

/** Enough for a botnet's worth of addresses; beyond it the earliest remembered is forgotten first. */
const MAX_REMEMBERED = 10_000

export class AddressBlocks {
  private readonly until = new Map<string, number>()

  constructor(private readonly max = MAX_REMEMBERED) {}

  remember(address: string, until: Date) {
    this.until.delete(address)
    if (this.until.size >= this.max) this.until.delete(this.until.keys().next().value as string)
    this.until.set(address, until.getTime())
  }

  /** When the address's block ends, if it is blocked now as far as this process knows. */
  blockedUntil(address: string, now: Date): Date | null {
    const until = this.until.get(address)
    if (until === undefined) return null
    if (until <= now.getTime()) {
      this.until.delete(address)
      return null
    }
    return new Date(until)
  }

  get size() {
    return this.until.size
  }
}
