// What the hashing threads' lower OS priority buys the event loop (npm run bench:hashing).
//
// The situation of 9:00 on exam day, reduced to its parts: every core busy (one hashing thread
// hashing without a pause, and a busy process on each other core standing in for PostgreSQL and
// the rest), while the event loop does a little work every 2 ms, as it does answering saves. Each
// round measures the event loop's delay with the hashing thread at the event loop's own priority
// (nice 0, the baseline) and at the server's default (HashPool's `nice`), alternated, with the
// same code the server runs (HashPool and its threads). Reported: the delay's p99 at each and their
// ratio, and the hashes a second each managed (what the logins give up).
//
//   --rounds N    alternated pairs (default 3)
//   --seconds S   measured seconds of each half (default 6)
import { fork } from 'node:child_process'
import os from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { HashPool, hashPassword } from '../../server/lib/passwords.js'
import { percentile } from './stats.js'

if (process.argv[2] === 'busy') {
  // A stand-in for another program keeping a core busy; stopped by its parent.
  for (;;) Math.sqrt(Math.random())
}

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '6' } },
})
const ROUNDS = Number(args.rounds)
const SECONDS = Number(args.seconds)
const DEFAULT_NICE = new HashPool().nice
/** Work the loop does each turn, and how often: a few saves' worth every 2 ms. */
const TURN_WORK_MS = 0.3
const TURN_EVERY_MS = 2

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Half {
  nice: number
  delayP99Ms: number
  delayP50Ms: number
  hashesPerSecond: number
}

/** One half of a round: a pool whose one thread hashes without a pause at `nice`, the loop measured meanwhile. */
async function measure(nice: number): Promise<Half> {
  const pool = new HashPool(1, 1_000)
  pool.configure(undefined, undefined, nice)
  let hashing = true
  let hashes = 0
  const hasher = (async () => {
    while (hashing) {
      await pool.run(() => pool.onThread('hash', { password: 'a-password-of-some-length', options: HASH_OPTIONS }))
      hashes++
    }
  })()
  await sleep(1_000) // the thread started and busy
  hashes = 0
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  const turns = setInterval(() => {
    const until = performance.now() + TURN_WORK_MS
    while (performance.now() < until);
  }, TURN_EVERY_MS)
  await sleep(SECONDS * 1_000)
  delay.disable()
  clearInterval(turns)
  const counted = hashes
  hashing = false
  await hasher
  await pool.close()
  return {
    nice,
    delayP99Ms: delay.percentile(99) / 1e6,
    delayP50Ms: delay.percentile(50) / 1e6,
    hashesPerSecond: counted / SECONDS,
  }
}

/** The server's own parameters (OWASP's minimum for Argon2id), read off a hash it makes. */
const HASH_OPTIONS = await (async () => {
  const [, , , params] = (await hashPassword('read-the-parameters')).split('$')
  const [m, t, p] = params.split(',').map((kv) => Number(kv.split('=')[1]))
  return { memoryCost: m, timeCost: t, parallelism: p }
})()

const busy = Array.from({ length: Math.max(1, os.availableParallelism() - 1) }, () =>
  fork(new URL(import.meta.url).pathname, ['busy'], { execArgv: ['--import', 'tsx'] }),
)
try {
  await sleep(500)
  const halves: Half[] = []
  for (let round = 0; round < ROUNDS; round++) {
    // Alternated, and the order swapped each round, so a machine that slows down mid-run is shared.
    const order = round % 2 ? [DEFAULT_NICE, 0] : [0, DEFAULT_NICE]
    for (const nice of order) {
      const half = await measure(nice)
      halves.push(half)
      console.log(
        `[hashing] round ${round + 1}, nice ${nice}: loop delay p50 ${half.delayP50Ms.toFixed(2)} ms, p99 ${half.delayP99Ms.toFixed(2)} ms; ${half.hashesPerSecond.toFixed(1)} hashes/s`,
      )
    }
  }
  const of = (nice: number) => halves.filter((h) => h.nice === nice)
  const p99 = (nice: number) =>
    percentile(
      of(nice).map((h) => h.delayP99Ms),
      50,
    )
  const rate = (nice: number) =>
    percentile(
      of(nice).map((h) => h.hashesPerSecond),
      50,
    )
  console.log(`
### Hashing below the event loop (${ROUNDS} alternated rounds of ${SECONDS} s, ${os.availableParallelism()} cores all busy)

| hashing thread at | event-loop delay p99 (median of rounds) | hashes a second |
|---|---|---|
| nice 0 (the event loop's own priority: baseline) | ${p99(0).toFixed(2)} ms | ${rate(0).toFixed(1)} |
| nice ${DEFAULT_NICE} (the server's default, HASH_NICE) | ${p99(DEFAULT_NICE).toFixed(2)} ms | ${rate(DEFAULT_NICE).toFixed(1)} |
| ratio | ${(p99(DEFAULT_NICE) / p99(0)).toFixed(2)}× | ${(rate(DEFAULT_NICE) / rate(0)).toFixed(2)}× |
`)
} finally {
  for (const child of busy) child.kill()
}
