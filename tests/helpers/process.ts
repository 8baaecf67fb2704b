// Runs the real entry point (`server/main.ts`) as a child process, as `npm start` would.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import net from 'node:net'

const ROOT = path.resolve(import.meta.dirname, '../..')

export interface Started {
  child: ChildProcess
  output: () => string
  port: number
  exited: Promise<number | null>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/**
 * `fromBuild`: run it exactly as `npm start` does (`scripts/start.mjs`: the server built to dist/,
 * built first when the sources are newer), for figures about the server as deployed — tsx's on-the-fly
 * transpiling costs each process ~90 MB of memory. Otherwise the sources run through tsx.
 */
export async function startMain(env: Record<string, string | undefined>, { fromBuild = false } = {}): Promise<Started> {
  const port = Number(env.PORT ?? (await freePort()))
  const clean = Object.fromEntries(
    Object.entries({ ...process.env, LOG_LEVEL: 'warn', ...env, PORT: String(port) }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>
  // `SERVER_CPU_PROF=<dir>` writes a V8 CPU profile of the server when it exits (for the bench).
  const profile = process.env.SERVER_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SERVER_CPU_PROF}`] : []
  // `SERVER_NODE_ARGS="--flag …"` starts the server with extra Node or V8 flags (bench experiments:
  // NODE_OPTIONS would reach the bench's own processes too, and refuses most V8 flags).
  const extra = process.env.SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []
  const entry = fromBuild ? ['scripts/start.mjs'] : ['--import', 'tsx', 'server/main.ts']
  const child = spawn(process.execPath, [...profile, ...extra, ...entry], {
    cwd: ROOT,
    env: clean,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, output: () => out, port, exited }
}

/** Resolves when the output matches, rejects when the process exits first or time runs out. */
export async function waitFor(p: Started, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const start = Date.now()
  let gone = false
  void p.exited.then(() => (gone = true))
  while (!pattern.test(p.output())) {
    if (gone) throw new Error(`process exited before ${pattern}: ${p.output()}`)
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${pattern}: ${p.output()}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export async function stop(p: Started, signal: NodeJS.Signals = 'SIGTERM') {
  if (p.child.exitCode === null) p.child.kill(signal)
  return p.exited
}
