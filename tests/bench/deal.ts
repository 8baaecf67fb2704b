// How the bench deals its takers to the load-generator processes.

/**
 * Shares of `items` for `loadgens` load generators and, with `probe` > 0, one more process (the
 * last share) holding `probe` of them: every k-th item, so the probe's takers are spread over the
 * whole start order (start wave, steady exam, submit wave) like everyone's. The rest are dealt
 * round the load generators in order. Every item lands in exactly one share.
 */
export function dealTakers<T>(items: T[], loadgens: number, probe: number): T[][] {
  const probeEvery = probe > 0 ? Math.floor(items.length / probe) : 0
  const inProbe = (i: number) => probeEvery > 0 && i % probeEvery === probeEvery - 1 && Math.floor(i / probeEvery) < probe
  const shares = Array.from({ length: loadgens + (probe > 0 ? 1 : 0) }, () => [] as T[])
  let dealt = 0
  items.forEach((item, i) => shares[inProbe(i) ? loadgens : dealt++ % loadgens].push(item))
  return shares
}
