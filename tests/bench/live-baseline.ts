// The yardstick for the live-game scenarios, measured in the same run: a bare socket.io server on
// this machine that speaks the same events (battle:* for duels, contest:* for a contest) with the
// same timing and payload sizes, but with no sign-in, no database, no grading, no flood guard and no
// privacy rule. The real server's push latency over this one's is the figure's ratio.
import { createServer } from 'node:http'
import { Server, type Socket } from 'socket.io'

interface Timing {
  rounds: number
  roundMs: number
  revealMs: number
  startDelayMs: number
}
const timing: Timing = JSON.parse(process.env.LIVE_TIMING ?? '{}')
const CONTEST_QUESTIONS = Number(process.env.LIVE_QUESTIONS ?? 5)
const QUESTION = {
  id: 1,
  type: 'single',
  stem: '党的二十大报告在部署增进民生福祉时指出，什么是最基本的民生？',
  options: ['就业', '教育', '医疗', '住房'].map((text, i) => ({ key: 'ABCD'[i], text })),
}

const http = createServer()
const io = new Server(http, { path: '/socket.io', serveClient: false, cleanupEmptyChildNamespaces: true })
/** The baseline's "token" names the player: `<userId>:<group>` (a duel pairs the two of one group). */
const who = (s: Socket) => {
  const [id, group] = String(s.handshake.auth?.token ?? '0:0').split(':')
  return { userId: Number(id), group }
}

// ── duels ──
interface Duel {
  id: number
  seats: { userId: number; socket: Socket }[]
  index: number
  answered: Set<number>
  timer: NodeJS.Timeout | null
  endsAt: number
}
const waiting = new Map<string, { userId: number; socket: Socket }>()
let nextId = 1
function openRound(d: Duel, index: number) {
  d.index = index
  d.answered = new Set()
  const now = Date.now()
  d.endsAt = now + timing.roundMs
  for (const s of d.seats)
    s.socket.emit('battle:question', {
      battleId: d.id,
      index,
      question: QUESTION,
      endsAt: new Date(d.endsAt).toISOString(),
      total: timing.rounds,
      now: new Date(now).toISOString(),
    })
  d.timer = setTimeout(() => closeRound(d), timing.roundMs)
}
function closeRound(d: Duel) {
  if (d.timer) clearTimeout(d.timer)
  d.timer = null
  const index = d.index
  d.index = -1
  const results = d.seats.map((s) => ({ userId: s.userId, answered: d.answered.has(s.userId), correct: false }))
  for (const s of d.seats)
    s.socket.emit('battle:round', {
      battleId: d.id,
      index,
      correctAnswer: 'A',
      scores: d.seats.map((x) => ({ userId: x.userId, score: 0 })),
      results,
    })
  if (index + 1 < timing.rounds) setTimeout(() => openRound(d, index + 1), timing.revealMs)
  else
    setTimeout(
      () => {
        const ranking = d.seats.map((x, i) => ({ userId: x.userId, name: `考生${x.userId}`, orgName: '压测支部', score: 0, rank: i + 1 }))
        for (const s of d.seats) s.socket.emit('battle:end', { battleId: d.id, ranking, pointsEarned: 0 })
        duels.delete(d.id)
      },
      Math.min(timing.revealMs, 1_000),
    )
}
const duels = new Map<number, Duel>()

// ── contest ──
const room = 'contest:1'
let contestIndex = -1
let contestPhase: 'lobby' | 'question' | 'reveal' = 'lobby'
const contestAnswers = new Map<number, string>()
let contestTimer: NodeJS.Timeout | null = null
function reveal() {
  if (contestPhase !== 'question') return
  if (contestTimer) clearTimeout(contestTimer)
  contestPhase = 'reveal'
  const counts: Record<string, number> = { A: 0, B: 0, C: 0, D: 0, none: 0 }
  for (const a of contestAnswers.values()) counts[a] = (counts[a] ?? 0) + 1
  const top = [...contestAnswers.keys()].slice(0, 5).map((userId, i) => ({ rank: i + 1, userId, name: `考生${userId}`, score: 0 }))
  io.to(room).emit('contest:reveal', { contestId: 1, index: contestIndex, correctAnswer: 'A', counts, top, total: 0 })
  for (const s of io.of('/').sockets.values())
    if (s.rooms.has(room)) s.emit('contest:result', { contestId: 1, index: contestIndex, correct: false, points: 0, score: 0, rank: 1 })
}

io.on('connection', (socket) => {
  const me = who(socket)
  socket.on('battle:join', (_p, ack) => {
    ack?.({ ok: true, queued: true })
    const other = waiting.get(me.group)
    if (!other) return void waiting.set(me.group, { userId: me.userId, socket })
    waiting.delete(me.group)
    const d: Duel = { id: nextId++, seats: [other, { userId: me.userId, socket }], index: -1, answered: new Set(), timer: null, endsAt: 0 }
    duels.set(d.id, d)
    const players = d.seats.map((s) => ({ userId: s.userId, name: `考生${s.userId}`, orgName: '压测支部' }))
    const startsAt = new Date(Date.now() + timing.startDelayMs).toISOString()
    for (const s of d.seats) s.socket.emit('battle:matched', { battleId: d.id, mode: 'duel', players, total: timing.rounds, startsAt })
    setTimeout(() => openRound(d, 0), timing.startDelayMs)
  })
  socket.on('battle:answer', (p, ack) => {
    const d = duels.get(p?.battleId)
    if (!d || d.index !== p.index) return ack?.({ ok: false, error: 'closed' })
    d.answered.add(me.userId)
    ack?.({ ok: true })
    if (d.answered.size === d.seats.length) closeRound(d)
  })
  socket.on('contest:join', async (_p, ack) => {
    await socket.join(room)
    ack?.({ ok: true, contestId: 1 })
  })
  socket.on('contest:host', async (_p, ack) => {
    await socket.join(room)
    ack?.({ ok: true, pin: '000000', players: 0 })
  })
  socket.on('contest:next', (_p, ack) => {
    ack?.({ ok: true })
    if (contestPhase === 'question') return reveal()
    if (contestIndex + 1 >= CONTEST_QUESTIONS) return void io.to(room).emit('contest:end', { contestId: 1, podium: [] })
    contestIndex++
    contestPhase = 'question'
    contestAnswers.clear()
    const now = Date.now()
    io.to(room).emit('contest:question', {
      contestId: 1,
      index: contestIndex,
      question: QUESTION,
      endsAt: new Date(now + 60_000).toISOString(),
      total: 0,
      now: new Date(now).toISOString(),
    })
    contestTimer = setTimeout(reveal, 60_000)
  })
  socket.on('contest:answer', (p, ack) => {
    if (contestPhase !== 'question' || p?.index !== contestIndex) return ack?.({ ok: false, error: 'closed' })
    contestAnswers.set(me.userId, String(p.answer))
    ack?.({ ok: true })
  })
})

http.listen(0, '127.0.0.1', () => {
  const address = http.address()
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 })
})
process.on('SIGTERM', () => {
  io.close()
  process.exit(0)
})
