// `--find-max`: the autosave sustained maximum — the most saves a second the server acknowledges
// with p99 ≤ 100 ms and no errors — over each path a save can take: the HTTP route (closed loops of
// keep-alive connections, like the baselines) and the takers' sockets (as the web app saves; the
// load comes from several client processes, see socket-max.ts). Both as ratios of the same run's
// one-upsert and batched-upsert baselines.
import path from 'node:path'
import { fork } from 'node:child_process'
import { closedLoop } from './http.js'
import { Samples, round } from './stats.js'
import type { FindMax } from './report.js'
import { PER_SOCKET, type OpenAttempt, type SocketMaxCommand, type SocketMaxReply } from './socket-max.js'

const P99_LIMIT_MS = 100
const STEP_SECONDS = 5
type Step = FindMax['steps'][number]
type Baselines = { upsert: number; batched: number }

/** A step that held the limits: p99 ≤ 100 ms (unless told otherwise), no error, and at least one save acknowledged. */
const withinLimits = (s: Step, p99LimitMs = P99_LIMIT_MS) => s.p99 !== null && s.p99 <= p99LimitMs && s.errors === 0

/** How many steps the search may add between the last load that held and the first that did not. */
const MAX_REFINEMENTS = 3

/**
 * A step that missed by its p99 alone is tried once more, and counts as missed only if it misses
 * again: one 5-second step on a machine shared with PostgreSQL and the clients can catch a noisy
 * moment (session 22, run 43: 256 sockets missed at p99 128 ms where 512 had held in every other
 * run, and that one step made the maximum 3,786 saves a second instead of ~9,000). A step with
 * errors is not tried again: a refused or failed save is the server's answer, not noise.
 */
async function confirmedStep(load: number, runStep: (load: number) => Promise<Step>, p99LimitMs: number): Promise<Step> {
  const first = await runStep(load)
  if (withinLimits(first, p99LimitMs) || first.errors > 0) return first
  const again = await runStep(load)
  return { ...again, firstTry: { rps: first.rps, p99: first.p99 } }
}

/**
 * Tries the loads of `ladder` in turn until one misses the limits, then halves the gap between the
 * highest load that held and the lowest that did not, until the gap is within a sixteenth of the
 * load that held or MAX_REFINEMENTS steps were added. The ladder's rungs are 25 % (sockets) to 100 %
 * (HTTP connections) apart: without this the maximum was the last rung below the knee, however close
 * to it the knee was — at 512 and 640 sockets, 7,990 saves a second held and 9,574 missed by 31 ms.
 * Every step that misses by its p99 is confirmed by a second try (confirmedStep).
 * Loads are rounded to a multiple of `unit` (the client processes share them evenly).
 */
export async function searchLoads(
  ladder: number[],
  unit: number,
  runStep: (load: number) => Promise<Step>,
  p99LimitMs = P99_LIMIT_MS,
): Promise<Step[]> {
  const steps: Step[] = []
  let held: number | undefined
  let missed: number | undefined
  for (const load of ladder) {
    const step = await confirmedStep(load, runStep, p99LimitMs)
    steps.push(step)
    if (!withinLimits(step, p99LimitMs)) {
      missed = step.connections
      break
    }
    held = step.connections
  }
  for (let added = 0; held !== undefined && missed !== undefined && added < MAX_REFINEMENTS; added++) {
    if (missed - held <= held / 16) break
    const load = Math.round((held + missed) / 2 / unit) * unit
    if (load <= held || load >= missed) break
    const step = await confirmedStep(load, runStep, p99LimitMs)
    steps.push(step)
    if (withinLimits(step, p99LimitMs)) held = step.connections
    else missed = step.connections
  }
  return steps.sort((a, b) => a.connections - b.connections)
}

function summarise(steps: Step[], baselines: Baselines, p99LimitMs = P99_LIMIT_MS): FindMax {
  const held = steps.filter((s) => withinLimits(s, p99LimitMs))
  const sustained = held.length ? Math.max(...held.map((s) => s.rps)) : 0
  return {
    steps,
    sustained,
    saturated: held.length < steps.length,
    ratioToUpsert: baselines.upsert ? round(sustained / baselines.upsert, 2) : null,
    ratioToBatched: baselines.batched ? round(sustained / baselines.batched, 2) : null,
  }
}

/**
 * Closed loops of 16 … 512 keep-alive connections, each `PUT`ting saves back to back, 5 s a step;
 * then counts between the two around the knee (searchLoads).
 */
export async function findMaxOverHttp(
  base: string,
  attempts: OpenAttempt[],
  baselines: Baselines,
  log: (line: string) => void,
): Promise<FindMax> {
  const steps = await searchLoads([16, 32, 64, 128, 256, 512], 1, async (connections) => {
    const r = await closedLoop(base, connections, STEP_SECONDS, (i) => {
      const a = attempts[i % attempts.length]
      return {
        method: 'PUT',
        path: `/api/attempts/${a.id}/answers/${a.q[i % a.q.length]}`,
        body: JSON.stringify({ answer: i % 2 === 0 }),
        headers: { authorization: `Bearer ${a.token}` },
      }
    })
    log(`  HTTP, ${connections} connections: ${r.rps}/s, p99 ${r.latency.p99} ms, errors ${r.errors}`)
    return { connections, rps: r.rps, p99: r.latency.p99, errors: r.errors }
  })
  return summarise(steps, baselines)
}

/**
 * One socket per attempt (its owner's token), spread over `processes` client processes; steps of
 * more sockets each saving at most PER_SOCKET a second, 5 s a step, until p99 passes 100 ms or a
 * save is refused (any refusal counts as an error: a save into someone else's attempt, a flood);
 * then counts between the last that held and that one (searchLoads).
 */
export async function findMaxOverSockets(
  base: string,
  attempts: OpenAttempt[],
  processes: number,
  baselines: Baselines,
  log: (line: string) => void,
  // The self-test (tests/bench-find-max.test.ts) checks what the search counts and stores, not this
  // machine's speed: it runs short steps and a limit no loaded machine reaches.
  { stepSeconds = STEP_SECONDS, p99LimitMs = P99_LIMIT_MS } = {},
): Promise<FindMax> {
  const children = Array.from({ length: processes }, () =>
    fork(path.join(import.meta.dirname, 'socket-max.ts'), { execArgv: ['--import', 'tsx'] }),
  )
  const ask = <T extends SocketMaxReply['type']>(i: number, command: SocketMaxCommand, reply: T) =>
    new Promise<Extract<SocketMaxReply, { type: T }>>((resolve, reject) => {
      const child = children[i]
      const onExit = (code: number | null) => reject(new Error(`socket-max client ${i} exited (${code})`))
      child.once('exit', onExit)
      child.on('message', function onMessage(m: SocketMaxReply) {
        if (m.type !== reply) return
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve(m as Extract<SocketMaxReply, { type: T }>)
      })
      child.send(command)
    })
  try {
    const share = (i: number) => attempts.filter((_, k) => k % processes === i)
    const connected = await Promise.all(children.map((_, i) => ask(i, { type: 'init', base, attempts: share(i) }, 'connected')))
    const sockets = connected.reduce((a, c) => a + c.sockets, 0)
    const failed = connected.reduce((a, c) => a + c.failed, 0)
    log(`  sockets: ${sockets} connected${failed ? `, ${failed} failed` : ''}, each saving ≤ ${PER_SOCKET}/s`)
    const counts = [128, 256, 512, 640, 768, 896, 1024, 1152, 1280, 1536, 1792].filter((c) => c < sockets).concat(sockets)
    const steps = await searchLoads(
      counts,
      processes,
      async (count) => {
        const replies = await Promise.all(
          children.map((_, i) => ask(i, { type: 'step', sockets: Math.ceil(count / processes), seconds: stepSeconds }, 'step-done')),
        )
        const samples = new Samples()
        replies.forEach((r) => samples.addAll(r.latencies))
        const errors = replies.flatMap((r) => Object.entries(r.errors))
        const seconds = Math.max(...replies.map((r) => r.seconds))
        const step = {
          connections: Math.ceil(count / processes) * processes,
          rps: Math.round(samples.count / seconds),
          p99: samples.summary().p99,
          errors: errors.reduce((a, [, k]) => a + k, 0),
        }
        const causes = errors.length ? ` (${errors.map(([cause, k]) => `${cause}: ${k}`).join(', ')})` : ''
        log(`  sockets, ${step.connections}: ${step.rps}/s, p99 ${step.p99} ms, errors ${step.errors}${causes}`)
        return step
      },
      p99LimitMs,
    )
    return summarise(steps, baselines, p99LimitMs)
  } finally {
    for (const child of children) if (child.connected) child.send({ type: 'close' } satisfies SocketMaxCommand)
  }
}
