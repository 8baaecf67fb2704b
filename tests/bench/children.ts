// The processes one bench run starts (the baseline server, the load generators): each is killed
// when the run ends, however it ends, and the load generators are known by pid so that the cores
// report can tell their share of the machine from the server's.
import { fork, type ChildProcess } from 'node:child_process'

export class BenchChildren {
  private readonly all: ChildProcess[] = []
  private readonly loadgenExits: Promise<unknown>[] = []
  readonly loadgenPids: number[] = []

  /** A TypeScript module of tests/bench in a process of its own (under tsx). */
  fork(modulePath: string, options: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    const child = fork(modulePath, { execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])], env: options.env })
    this.all.push(child)
    return child
  }

  forkLoadgen(modulePath: string, execArgv: string[] = []): ChildProcess {
    const child = this.fork(modulePath, { execArgv })
    this.loadgenExits.push(new Promise((resolve) => child.once('exit', resolve)))
    if (child.pid) this.loadgenPids.push(child.pid)
    return child
  }

  /** Resolves once every load generator has exited (a profiled one writes its profile first). */
  async loadgensExited(): Promise<void> {
    await Promise.all(this.loadgenExits)
  }

  killAll() {
    for (const c of this.all) if (c.exitCode === null) c.kill('SIGKILL')
  }
}
