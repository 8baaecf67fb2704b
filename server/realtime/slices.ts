// Large fan-outs go out a slice at a time. Pushing to 2,000 people is 2,000 packets encoded and
// written; done in one go it held the event loop for tens of milliseconds, and on exam day every
// save that arrived meanwhile waited (a notice published during an exam made the slowest saves of
// that second 150 ms). Between slices the loop answers whatever came in.

/** How many deliveries run before the loop is given back. */
const SLICE = 100

/**
 * Calls `deliver` for each item in order, `size` at a time, yielding to the event loop between
 * slices (setImmediate: after the I/O that arrived meanwhile). Resolves when all are delivered.
 */
export async function inSlices<T>(items: readonly T[], deliver: (item: T) => void, size = SLICE): Promise<void> {
  for (let i = 0; i < items.length; i += size) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve))
    for (const item of items.slice(i, i + size)) deliver(item)
  }
}
