// Live battles and contests are matched and timed in memory, so all of them run in one process: the
// games home. Every other process (a cluster worker or another node) forwards its sockets' game
// events there over the socket.io adapter, and the home emits to the players' sockets by id, which
// the adapter delivers wherever each socket is connected. So colleagues connected to different
// workers or nodes still find each other.
//
// Which process is home: a lone process always is. With shared rooms (the Redis adapter or the
// cluster primary) on PostgreSQL, the process holding a session-level advisory lock is; when it
// dies, PostgreSQL drops its lock with its connection and another process takes it within one
// poll. Games running in a home that dies end, as they would in a restart.
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { DbKind } from '../db/connect.js'
import type { Deps } from '../lib/deps.js'
import type { Principal } from '../lib/scope.js'
import type { RealtimeServer, RealtimeSocket } from '../plugins/realtime.js'
import type { GameCalls, GameNotice, GameReply, GameResult } from './events-map.js'
import { ackError } from './flood-guard.js'

/** Who sent a live-game event: her socket (wherever it is connected) and who she is. */
export interface GameCaller {
  socketId: string
  principal: Principal
}

/** What the processes say to each other about games (added to the adapter's server-side events). */
export interface GamesServerEvents {
  /** Every process hears it; only the home replies with something other than null. */
  'games:call': (name: keyof GameCalls, caller: GameCaller, args: unknown, reply: (answer: GameReply | null) => void) => void
  'games:notice': (notice: GameNotice, caller: GameCaller) => void
}

/** Only an event with nothing to add to `ok` may return nothing. */
type HandlerResult<N extends keyof GameCalls> = object extends GameResult<N> ? GameResult<N> | void : GameResult<N>
type Handler<N extends keyof GameCalls> = (caller: GameCaller, args: GameCalls[N]) => HandlerResult<N> | Promise<HandlerResult<N>>

/** The advisory lock whose holder is the games home ('xuec' in ASCII). */
const HOME_LOCK = 0x78756563
const NO_HOME = '对战服务正在切换，请稍后再试'

/** In-process homes of shared embedded databases (tests run two apps on one PGlite, which has one session). */
const embeddedHomes = new WeakMap<object, GamesHome>()

const homes = new WeakMap<FastifyInstance, GamesHome>()

/** The games home of an app (tests ask which node is home, and shorten its poll). */
export function gamesHomeOf(app: FastifyInstance): GamesHome | undefined {
  return homes.get(app)
}

/** Makes an app's games home; `start()` it once the game modules have registered their handlers. */
export function createGamesHome(app: FastifyInstance): GamesHome {
  const home = new GamesHome(app.deps, app.io, { clustered: app.realtimeClustered, dbKind: app.dbKind })
  homes.set(app, home)
  app.addHook('onClose', () => home.close())
  return home
}

export class GamesHome {
  /** How often a process that is not home tries to become it, and the home checks its lock. */
  pollMs = 2_000
  private home = false
  private closed = false
  /** Each name's handler was registered for that name (handle() ties the two), so run() may trust it. */
  private handlers = new Map<keyof GameCalls, { fallback: string; run: (caller: GameCaller, args: never) => unknown }>()
  private noticeHandlers: ((notice: GameNotice, caller: GameCaller) => void)[] = []
  private stepDownHandlers: (() => void)[] = []
  private wake: (() => void) | null = null
  private election: Promise<void> = Promise.resolve()

  constructor(
    private deps: Deps,
    private io: RealtimeServer,
    private setup: { clustered: boolean; dbKind: DbKind },
  ) {
    io.on('games:call', (name, caller, args, reply) => {
      if (!this.home) return reply(null)
      void this.run(name, caller, args).then(reply)
    })
    io.on('games:notice', (notice, caller) => {
      if (this.home) this.noticed(notice, caller)
    })
    // Every socket's coming and going reaches the home, which seats players by their sockets.
    io.on('connection', (socket) => {
      this.notice(socket, 'connected')
      socket.on('disconnect', () => this.notice(socket, 'disconnected'))
    })
  }

  /** True while this process runs the games. */
  get isHome(): boolean {
    return this.home
  }

  /** Starts being home, or trying to become it. */
  start() {
    if (!this.setup.clustered) {
      this.home = true
      return
    }
    this.election = this.setup.dbKind === 'postgres' ? this.holdAdvisoryLock() : this.holdEmbedded()
  }

  /** What the home does with one forwarded event; `fallback` is the message of an unexpected error. */
  handle<N extends keyof GameCalls>(name: N, fallback: string, run: Handler<N>) {
    this.handlers.set(name, { fallback, run })
  }

  /** Called at the home when any socket of any process connects or disconnects. */
  onNotice(fn: (notice: GameNotice, caller: GameCaller) => void) {
    this.noticeHandlers.push(fn)
  }

  /** Called when this process stops being home: its games are gone, another process runs new ones. */
  onStepDown(fn: () => void) {
    this.stepDownHandlers.push(fn)
  }

  /** Runs a socket's game event at the home (here, or forwarded) and gives back its ack. */
  async call<N extends keyof GameCalls>(socket: RealtimeSocket, name: N, args: GameCalls[N]): Promise<GameReply<N>> {
    const caller: GameCaller = { socketId: socket.id, principal: socket.data.principal }
    if (this.home) return this.run(name, caller, args)
    // The adapter gives up after its own timeout (5 s) and then passes the replies it got, so a slow
    // process that is not home does not lose the home's answer.
    const replies = await new Promise<(GameReply | null)[]>((resolve) => {
      this.io.serverSideEmit('games:call', name, caller, args, (_err: Error | null, answers: (GameReply | null)[]) =>
        resolve(answers ?? []),
      )
    })
    // The home answered with its own run() of this very event, so the reply has this event's shape.
    return (replies.find((r) => !!r) as GameReply<N> | undefined) ?? { ok: false, error: NO_HOME }
  }

  /** Tells the home that a socket came or went (a player's seat follows her sockets). */
  private notice(socket: RealtimeSocket, notice: GameNotice) {
    const principal = socket.data.principal
    if (!principal) return
    const caller: GameCaller = { socketId: socket.id, principal }
    if (this.home) this.noticed(notice, caller)
    else this.io.serverSideEmit('games:notice', notice, caller)
  }

  async close() {
    this.closed = true
    this.wake?.()
    await this.election
    if (embeddedHomes.get(this.deps.db) === this) embeddedHomes.delete(this.deps.db)
    this.home = false
  }

  private async run<N extends keyof GameCalls>(name: N, caller: GameCaller, args: unknown): Promise<GameReply<N>> {
    const handler = this.handlers.get(name)
    if (!handler) return { ok: false, error: '不支持的操作' }
    try {
      const result = (await handler.run(caller, args as never)) as HandlerResult<N>
      return { ok: true, ...(result ?? {}) } as GameReply<N>
    } catch (err) {
      return { ok: false, error: ackError(err, handler.fallback) }
    }
  }

  private noticed(notice: GameNotice, caller: GameCaller) {
    for (const fn of this.noticeHandlers) {
      try {
        fn(notice, caller)
      } catch (err) {
        this.deps.log.error({ err, notice }, 'game notice failed')
      }
    }
  }

  private becomeHome() {
    this.home = true
    this.deps.log.info('this process is now the games home')
  }

  private stepDown() {
    if (!this.home) return
    this.home = false
    for (const fn of this.stepDownHandlers) fn()
  }

  /** Sleeps one poll, or less when the process closes. */
  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.pollMs)
      this.wake = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  /**
   * Holds PostgreSQL's advisory lock on a connection of its own for as long as this process is home.
   * A lock is held by a session, so the connection must stay checked out; the home checks it every
   * poll and steps down when it fails (the lock may already be another process's).
   */
  private async holdAdvisoryLock() {
    while (!this.closed) {
      try {
        await this.deps.db.connection().execute(async (conn) => {
          const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(${HOME_LOCK}) as locked`.execute(conn)
          if (!rows[0]?.locked) return
          this.becomeHome()
          try {
            while (!this.closed) {
              await this.pause()
              if (!this.closed) await sql`select 1`.execute(conn)
            }
            await sql`select pg_advisory_unlock(${HOME_LOCK})`.execute(conn)
          } finally {
            this.stepDown()
          }
        })
      } catch (err) {
        this.deps.log.warn({ err }, 'games home: lock check failed')
      }
      if (!this.closed) await this.pause()
    }
  }

  private async holdEmbedded() {
    while (!this.closed) {
      if (!embeddedHomes.has(this.deps.db)) {
        embeddedHomes.set(this.deps.db, this)
        this.becomeHome()
        return
      }
      await this.pause()
    }
  }
}
