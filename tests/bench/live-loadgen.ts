// One load-generator process for the live-game scenarios (tests/bench/live.ts). It opens its share
// of player sockets at the pace it is given, then plays: duels (the two partners of a pair are in
// this process, so the time of a round's last answer is known here), or one contest (joined by PIN,
// each question answered after a human-like pause). Receipt times go back to the orchestrator.
import { io, type Socket } from 'socket.io-client'

export interface LiveLoadgenConfig {
  base: string
  kind: 'duels' | 'contest'
  /** The sockets of this process; for duels, players 2k and 2k+1 are partners. */
  players: { userId: number; token: string; idle: boolean }[]
  /** When socket i connects (ms since epoch). */
  connectAt: number[]
  /** Joins (battle:join / contest:join) per second for this process, once told to go. */
  joinRate: number
  /** An idle duel partner leaves this round unanswered (the round then closes at endsAt); an idle contest player never answers. */
  idleRound: number
  /** A player answers this long after the question arrives (uniform). */
  answerDelayMs: [number, number]
  pin?: string
  /** Give up at this time (ms since epoch). */
  deadline: number
}

export interface LiveLoadgenResult {
  connected: number
  connectMs: number[]
  joined: number
  errors: Record<string, number>
  /** Duels: battle:round receipt − the later of the two answers' send times (rounds both answered). */
  roundAfterAnswer: number[]
  /** Duels: battle:round receipt − endsAt (rounds left unanswered by someone). */
  roundAfterEndsAt: number[]
  /** battle:end (duels) or contest:end (contest) receipts. */
  ended: number
  /** Contest: receipt times (ms since epoch) of each question and reveal, by index. */
  questionAt: Record<number, number[]>
  revealAt: Record<number, number[]>
  /** Contest: contest:answer ack round trip. */
  answerAck: number[]
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))
const between = ([a, b]: [number, number]) => a + Math.random() * (b - a)

/** A random answer of the right shape for the question as shown. */
function anyAnswer(q: { type: string; options: { key: string }[] | null }): unknown {
  if (q.type === 'judge') return Math.random() < 0.5
  const keys = (q.options ?? []).map((o) => o.key)
  const pick = keys[Math.floor(Math.random() * keys.length)] ?? 'A'
  return q.type === 'multiple' ? [pick] : pick
}

process.send!({ type: 'loaded' })
process.on('message', async (msg: { type: 'config'; config: LiveLoadgenConfig } | { type: 'go' }) => {
  if (msg.type !== 'config') return
  const config = msg.config
  const result: LiveLoadgenResult = {
    connected: 0,
    connectMs: [],
    joined: 0,
    errors: {},
    roundAfterAnswer: [],
    roundAfterEndsAt: [],
    ended: 0,
    questionAt: {},
    revealAt: {},
    answerAck: [],
  }
  const error = (what: string) => (result.errors[what] = (result.errors[what] ?? 0) + 1)
  const sockets: (Socket | null)[] = config.players.map(() => null)

  // ── connect, paced ──
  await Promise.all(
    config.players.map(async (p, i) => {
      await sleep(config.connectAt[i] - Date.now())
      const t = performance.now()
      const socket = io(config.base, {
        path: '/socket.io',
        transports: ['websocket'],
        auth: { token: p.token },
        reconnection: false,
        forceNew: true,
      })
      await new Promise<void>((resolve) => {
        socket.once('connect', () => {
          result.connected++
          result.connectMs.push(performance.now() - t)
          sockets[i] = socket
          resolve()
        })
        socket.once('connect_error', (err) => {
          error(`connect ${err.message.slice(0, 40)}`)
          socket.close()
          resolve()
        })
      })
      socket.on('disconnect', (reason) => {
        if (reason !== 'io client disconnect') error(`disconnect ${reason}`)
      })
      socket.on('rate:limited', () => error('rate:limited'))
    }),
  )
  process.send!({ type: 'ready', connected: result.connected })
  await new Promise<void>((resolve) => process.once('message', (m: { type: string }) => m.type === 'go' && resolve()))

  const start = Date.now()
  const joinAt = (i: number) => start + (i / config.joinRate) * 1000
  let done: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))

  if (config.kind === 'duels') {
    const pairs = Math.floor(config.players.length / 2)
    /** battleId:index → the later answer's send time, and how many of the two have sent. */
    const sent = new Map<string, { last: number; n: number }>()
    const endsAt = new Map<string, number>()
    const seen = new Set<string>()
    config.players.forEach((p, i) => {
      const socket = sockets[i]
      if (!socket) return
      socket.on('battle:unmatched', (e: { message: string }) => error(`unmatched ${e.message.slice(0, 30)}`))
      socket.on('battle:question', async (e: { battleId: number; index: number; question: any; endsAt: string }) => {
        const key = `${e.battleId}:${e.index}`
        endsAt.set(key, Date.parse(e.endsAt))
        if (p.idle && e.index === config.idleRound) return
        await sleep(between(config.answerDelayMs))
        const rec = sent.get(key) ?? { last: 0, n: 0 }
        rec.last = Date.now()
        rec.n++
        sent.set(key, rec)
        const ack = (await socket
          .timeout(10_000)
          .emitWithAck('battle:answer', { battleId: e.battleId, index: e.index, answer: anyAnswer(e.question) })
          .catch(() => ({ ok: false, error: 'ack timeout' }))) as { ok: boolean; error?: string }
        if (!ack.ok) error(`answer ${String(ack.error).slice(0, 30)}`)
      })
      socket.on('battle:round', (e: { battleId: number; index: number; results: { answered: boolean }[] }) => {
        const now = Date.now()
        const key = `${e.battleId}:${e.index}`
        const rec = sent.get(key)
        // Both answered: the round ended with the later answer. Otherwise it ended at endsAt.
        if (e.results.every((r) => r.answered) && rec?.n === 2) result.roundAfterAnswer.push(now - rec.last)
        else if (endsAt.has(key)) result.roundAfterEndsAt.push(now - endsAt.get(key)!)
        if (seen.has(key)) {
          sent.delete(key)
          endsAt.delete(key)
        } else seen.add(key)
      })
      socket.on('battle:end', () => {
        result.ended++
        if (result.ended >= pairs * 2) done()
      })
    })
    // Partners ask to play within moments of each other, each pair in its own branch.
    config.players.forEach((_, i) => {
      const socket = sockets[i]
      if (!socket) return
      void (async () => {
        await sleep(joinAt(Math.floor(i / 2)) - Date.now() + (i % 2) * 50)
        const ack = (await socket
          .timeout(10_000)
          .emitWithAck('battle:join', { mode: 'duel', scope: 'branch' })
          .catch(() => ({ ok: false, error: 'ack timeout' }))) as { ok: boolean; error?: string }
        if (ack.ok) result.joined++
        else error(`join ${String(ack.error).slice(0, 30)}`)
      })()
    })
  } else {
    let endedSockets = 0
    let joinsDone = 0
    const open = sockets.filter(Boolean).length
    config.players.forEach((p, i) => {
      const socket = sockets[i]
      if (!socket) return
      socket.on('contest:question', async (e: { contestId: number; index: number; question: any }) => {
        ;(result.questionAt[e.index] ??= []).push(Date.now())
        if (p.idle) return
        await sleep(between(config.answerDelayMs))
        const t = performance.now()
        const ack = (await socket
          .timeout(10_000)
          .emitWithAck('contest:answer', { contestId: e.contestId, index: e.index, answer: anyAnswer(e.question) })
          .catch(() => ({ ok: false, error: 'ack timeout' }))) as { ok: boolean; error?: string }
        if (ack.ok) result.answerAck.push(performance.now() - t)
        else error(`answer ${String(ack.error).slice(0, 30)}`)
      })
      socket.on('contest:reveal', (e: { index: number }) => {
        ;(result.revealAt[e.index] ??= []).push(Date.now())
      })
      socket.on('contest:end', () => {
        result.ended++
        if (++endedSockets >= open) done()
      })
      void (async () => {
        await sleep(joinAt(i) - Date.now())
        const ack = (await socket
          .timeout(15_000)
          .emitWithAck('contest:join', { pin: config.pin })
          .catch(() => ({ ok: false, error: 'ack timeout' }))) as { ok: boolean; error?: string }
        if (ack.ok) result.joined++
        else error(`join ${String(ack.error).slice(0, 30)}`)
        if (++joinsDone === open) process.send!({ type: 'joined', joined: result.joined })
      })()
    })
  }

  let deadline: NodeJS.Timeout | undefined
  const timeout = new Promise<void>((resolve) => {
    deadline = setTimeout(
      () => {
        error('deadline reached')
        resolve()
      },
      Math.max(0, config.deadline - Date.now()),
    )
  })
  await Promise.race([finished, timeout])
  clearTimeout(deadline)
  for (const s of sockets) s?.close()
  process.send!({ type: 'done', result })
})
