// Memory and CPU of a whole process tree (the server as started, with its cluster workers), read
// from /proc once a second: `/api/health/metrics` answers from one worker only. Beside it, where
// the machine's cores went that second: to PostgreSQL, to the load generators, and — for the
// server's event loops — how long they ran and how long they were ready to run but waited for a
// CPU. Everything of the bench shares this machine's cores, and a loop that waits for a core
// answers late however little work it has.
import fs from 'node:fs'

const TICKS_PER_SECOND = 100 // USER_HZ: 100 on every Linux the bench runs on
const PAGE_KB = 4
const hundredths = (n: number) => Math.round(n * 100) / 100

interface Stat {
  /** The command name (PostgreSQL's processes are all `postgres`). */
  comm: string
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
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'))
    return { comm, ppid: Number(f[1]), cpuTicks: Number(f[11]) + Number(f[12]), rssKb: Number(f[21]) * PAGE_KB }
  } catch {
    return null // gone between listing and reading
  }
}

function allProcesses(): Map<number, Stat> {
  const all = new Map<number, Stat>()
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = readStat(Number(name))
    if (s) all.set(Number(name), s)
  }
  return all
}

/** The root and every descendant still alive. */
export function processTree(rootPid: number, all = allProcesses()): Map<number, Stat> {
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

/**
 * A process's main thread — a node process's event loop: nanoseconds on a CPU and nanoseconds
 * ready to run but waiting for one (/proc/<pid>/task/<pid>/schedstat, kept by the scheduler).
 */
function mainThreadSchedule(pid: number): { runNs: number; waitNs: number } | null {
  try {
    const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')
    return { runNs: Number(run), waitNs: Number(wait) }
  } catch {
    return null
  }
}

/** The whole machine's busy clock ticks (all but idle and I/O wait), from the first line of /proc/stat. */
function machineBusyTicks(): number {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const [user, nice, system, , , irq, softirq, steal] = f
  return user + nice + system + irq + softirq + steal
}

/** Where the cores went in one second, in cores (1.0 = one core the whole second). */
export interface CoreShares {
  /** Everything on the machine. */
  machine: number
  /** PostgreSQL's processes (all of them: the bench's database is not the machine's only one, but the only busy one). */
  postgres: number
  loadgens: number
  /** The server's main threads together: on a CPU, and ready but waiting for one. */
  loopRun: number
  loopWait: number
}

export interface TreeSample {
  /** When (ms since epoch). */
  at: number
  processes: number
  rssMb: number
  /** CPU of the whole tree since the previous sample, in cores (1.0 = one core busy). */
  cpuCores: number
  /** Since the previous sample (absent from the first). */
  cores?: CoreShares
}

interface Reading {
  at: number
  ticks: Map<number, number>
  machine: number
  postgres: Map<number, number>
  loadgens: Map<number, number>
  loops: Map<number, { runNs: number; waitNs: number }>
}

/**
 * Samples the tree every `everyMs`; `stop()` returns the samples. Processes that exit drop out.
 * `loadgenPids` names the load generators as they start.
 */
export function sampleTree(rootPid: number, everyMs = 1000, loadgenPids: () => readonly number[] = () => []) {
  const samples: TreeSample[] = []
  let last: Reading | null = null
  const take = () => {
    const all = allProcesses()
    const tree = processTree(rootPid, all)
    if (!tree.size) return
    const now = Date.now()
    const reading: Reading = {
      at: now,
      ticks: new Map([...tree].map(([pid, s]) => [pid, s.cpuTicks])),
      machine: machineBusyTicks(),
      postgres: new Map([...all].filter(([, s]) => s.comm === 'postgres').map(([pid, s]) => [pid, s.cpuTicks])),
      loadgens: new Map(loadgenPids().flatMap((pid) => (all.has(pid) ? [[pid, all.get(pid)!.cpuTicks] as const] : []))),
      loops: new Map(),
    }
    for (const pid of tree.keys()) {
      const schedule = mainThreadSchedule(pid)
      if (schedule) reading.loops.set(pid, schedule)
    }
    const rssKb = [...tree.values()].reduce((n, s) => n + s.rssKb, 0)
    const sample: TreeSample = { at: now, processes: tree.size, rssMb: Math.round(rssKb / 1024), cpuCores: 0 }
    if (last) {
      const seconds = (now - last.at) / 1000
      const cores = (ticks: number) => hundredths(ticks / TICKS_PER_SECOND / seconds)
      // A process that started since the last reading counts from zero; one that ended drops out.
      const grown = (current: Map<number, number>, before: Map<number, number>) =>
        [...current].reduce((n, [pid, v]) => n + v - (before.get(pid) ?? 0), 0)
      const loopNs = (key: 'runNs' | 'waitNs') =>
        [...reading.loops].reduce((n, [pid, v]) => n + v[key] - (last!.loops.get(pid)?.[key] ?? 0), 0)
      sample.cpuCores = cores(grown(reading.ticks, last.ticks))
      sample.cores = {
        machine: cores(reading.machine - last.machine),
        postgres: cores(grown(reading.postgres, last.postgres)),
        loadgens: cores(grown(reading.loadgens, last.loadgens)),
        loopRun: hundredths(loopNs('runNs') / 1e9 / seconds),
        loopWait: hundredths(loopNs('waitNs') / 1e9 / seconds),
      }
    }
    samples.push(sample)
    last = reading
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

/** Mean shares over the samples (those with shares), or undefined when there are none. */
export function meanCores(samples: readonly TreeSample[]): (CoreShares & { server: number }) | undefined {
  const withShares = samples.filter((s) => s.cores)
  if (!withShares.length) return undefined
  const mean = (pick: (s: TreeSample) => number) => hundredths(withShares.reduce((n, s) => n + pick(s), 0) / withShares.length)
  return {
    machine: mean((s) => s.cores!.machine),
    server: mean((s) => s.cpuCores),
    postgres: mean((s) => s.cores!.postgres),
    loadgens: mean((s) => s.cores!.loadgens),
    loopRun: mean((s) => s.cores!.loopRun),
    loopWait: mean((s) => s.cores!.loopWait),
  }
}
