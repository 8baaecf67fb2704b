// Memory and CPU of a whole process tree (the server as started, with its cluster workers), read
// from /proc once a second: `/api/health/metrics` answers from one worker only.
import fs from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux the bench runs on
const PAGE_KB = 4

interface Stat {
  ppid: number
  /** utime + stime, in clock ticks. */
  cpuTicks: number
  rssKb: number
}

function readStat(pid: number): Stat | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name is in parentheses and may hold spaces: fields count from after its ')'.
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
    // f[0] = state (field 3), so field n is f[n - 3].
    return { ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), rssKb: Number(f[21]) * PAGE_KB }
  } catch {
    return null // gone between listing and reading
  }
}

/** The root and every descendant still alive. */
export function processTree(rootPid: number): Map<number, Stat> {
  const all = new Map<number, Stat>()
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = readStat(Number(name))
    if (s) all.set(Number(name), s)
  }
  const tree = new Map<number, Stat>()
  const root = all.get(rootPid)
  if (!root) return tree
  tree.set(rootPid, root)
  let grew = true
  while (grew) {
    grew = false
    for (const [pid, s] of all)
      if (!tree.has(pid) && tree.has(s.ppid)) {
        tree.set(pid, s)
        grew = true
      }
  }
  return tree
}

export interface TreeSample {
  /** When (ms since epoch). */
  at: number
  processes: number
  rssMb: number
  /** CPU of the whole tree since the previous sample, in cores (1.0 = one core busy). */
  cpuCores: number
}

/** Samples the tree every `everyMs`; `stop()` returns the samples. Processes that exit drop out. */
export function sampleTree(rootPid: number, everyMs = 1000) {
  const samples: TreeSample[] = []
  let last: { at: number; ticks: Map<number, number> } | null = null
  const take = () => {
    const tree = processTree(rootPid)
    if (!tree.size) return
    const now = Date.now()
    let ticks = 0
    if (last) for (const [pid, s] of tree) ticks += s.cpuTicks - (last.ticks.get(pid) ?? 0)
    const rssKb = [...tree.values()].reduce((n, s) => n + s.rssKb, 0)
    samples.push({
      at: now,
      processes: tree.size,
      rssMb: Math.round(rssKb / 1024),
      cpuCores: last ? Math.round((ticks / TICKS_PER_SECOND / ((now - last.at) / 1000)) * 100) / 100 : 0,
    })
    last = { at: now, ticks: new Map([...tree].map(([pid, s]) => [pid, s.cpuTicks])) }
  }
  take()
  const timer = setInterval(take, everyMs)
  return {
    samples,
    stop() {
      clearInterval(timer)
      take()
      return samples
    },
  }
}
