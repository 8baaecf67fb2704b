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

/** A step that held the limits: p99 ≤ 100 ms, no error, and at least one save acknowledged. */
const withinLimits = (s: Step) => s.p99 !== null && s.p99 <= P99_LIMIT_MS && s.errors === 0

function summarise(steps: Step[], baselines: Baselines): FindMax {
  const held = steps.filter(withinLimits)
  const sustained = held.length ? Math.max(...held.map((s) => s.rps)) : 0
  return {
    steps,
    sustained,
    saturated: held.length < steps.length,
    ratioToUpsert: baselines.upsert ? round(sustained / baselines.upsert, 2) : null,
    ratioToBatched: baselines.batched ? round(sustained / baselines.batched, 2) : null,
  }
}

/** Closed loops of 16 … 512 keep-alive connections, each `PUT`ting saves back to back, 5 s a step. */
export async function findMaxOverHttp(
  base: string,
  attempts: OpenAttempt[],
  baselines: Baselines,
  log: (line: string) => void,
): Promise<FindMax> {
  const steps: Step[] = []
  for (const connections of [16, 32, 64, 128, 256, 512]) {
    const r = await closedLoop(base, connections, STEP_SECONDS, (i) => {
      const a = attempts[i % attempts.length]
      return {
        method: 'PUT',
        path: `/api/attempts/${a.id}/answers/${a.q[i % a.q.length]}`,
        body: JSON.stringify({ answer: i % 2 === 0 }),
        headers: { authorization: `Bearer ${a.token}` },
      }
    })
    const step = { connections, rps: r.rps, p99: r.latency.p99, errors: r.errors }
    steps.push(step)
    log(`  HTTP, ${connections} connections: ${r.rps}/s, p99 ${r.latency.p99} ms, errors ${r.errors}`)
    if (!withinLimits(step)) break
  }
  return summarise(steps, baselines)
}

/**
 * One socket per attempt (its owner's token), spread over `processes` client processes; steps of
 * more sockets each saving at most PER_SOCKET a second, 5 s a step, until p99 passes 100 ms or a
 * save is refused (any refusal counts as an error: a save into someone else's attempt, a flood).
 */
export async function findMaxOverSockets(
  base: string,
  attempts: OpenAttempt[],
  processes: number,
  baselines: Baselines,
  log: (line: string) => void,
  stepSeconds = STEP_SECONDS,
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
    const steps: Step[] = []
    for (const count of counts) {
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
      steps.push(step)
      const causes = errors.length ? ` (${errors.map(([cause, k]) => `${cause}: ${k}`).join(', ')})` : ''
      log(`  sockets, ${step.connections}: ${step.rps}/s, p99 ${step.p99} ms, errors ${step.errors}${causes}`)
      if (!withinLimits(step)) break
    }
    return summarise(steps, baselines)
  } finally {
    for (const child of children) if (child.connected) child.send({ type: 'close' } satisfies SocketMaxCommand)
  }
}
