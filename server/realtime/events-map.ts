// The socket.io event maps, shared by the server and the web app (type-only imports there).
// Names are `noun:verb`; client → server events answer through an ack.

export interface OrgProgress {
  orgId: number
  name: string
  invited: number
  started: number
  submitted: number
  avgScore: number | null
}

export interface ExamProgress {
  examId: number
  invited: number
  started: number
  submitted: number
  byOrg: OrgProgress[]
}

export interface ExamLeaderboardRow {
  rank: number
  userId: number
  name: string
  orgName: string
  score: number
  durationSeconds?: number
}

export interface PointsLeaderboardRow {
  rank: number
  id: number
  name: string
  points: number
  members?: number
  perCapita?: number
}

export type PointsPeriod = 'day' | 'week' | 'month' | 'total'

/** One notification, as the notification centre lists it. */
export interface NotificationPayload {
  id: number
  kind: string
  title: string
  body: string
  link: string | null
  createdAt: string
  readAt: string | null
}

export type Ack = (reply: { ok: true } | { ok: false; error: string }) => void

/** An ack carrying more than `ok` when it succeeds. */
export type AckWith<T> = (reply: ({ ok: true } & T) | { ok: false; error: string }) => void

/**
 * How an autosave over the socket is answered: as `PUT /api/attempts/:id/answers/:questionId`
 * would, with the HTTP status and error code it would have sent when refused (409 closed, 400
 * wrong shape, 404 not yours, 503 node shutting down). A refusal without `status` (a flood) is
 * the client's to retry over HTTP.
 */
export type SaveAck = (reply: { ok: true; savedAt: string } | { ok: false; error: string; status?: number; code?: string }) => void

// Live games (battles: 双人对战 / 四人赛; contests: 现场竞答). A question goes out without its key;
// the key leaves the server only in `battle:round` / `contest:reveal`, after the question closed.
export type BattleMode = 'duel' | 'four'
/** A question as asked in a live game: no key, no explanation. Question events carry the server's `now`, so a phone with a wrong clock still counts down right. */
export interface LiveQuestion {
  id: number
  type: string
  stem: string
  options: { key: string; text: string }[] | null
}
export interface LivePlayer {
  userId: number
  /** As the receiver may see it: her own name to herself; others by name or masked (张*), by their consent. */
  name: string
  /** The player's unit (battles), shown beside a masked name. */
  orgName?: string
}
export interface LiveScore {
  userId: number
  score: number
}
export interface LiveRankRow {
  rank: number
  userId: number
  name: string
  score: number
  orgName?: string
}
export interface BattleStatePlayer extends LivePlayer {
  score: number
  away: boolean
  forfeited: boolean
}
export interface BattleState {
  battleId: number
  mode: BattleMode
  players: BattleStatePlayer[]
  total: number
  index: number
  phase: 'intro' | 'question' | 'reveal'
  question: LiveQuestion | null
  endsAt: string | null
  answered: boolean
}
/**
 * Why a question already on screen was voided instead of revealed: an exam that holds it opened
 * during its countdown (`open_exam`), or the games home stopped before its reveal (`restart`).
 */
export type ContestVoidReason = 'open_exam' | 'restart'
export interface ContestState {
  contestId: number
  title: string
  phase: 'lobby' | 'question' | 'reveal' | 'ended'
  index: number
  total: number
  /** Positions (as `index`) skipped because an open exam held their question: never asked, or asked and voided. */
  skipped: number[]
  /** In the reveal phase: the question at `index` was voided, not revealed (its key never shown), and why. */
  voided: ContestVoidReason | null
  /**
   * In the reveal phase: the question at `index` was revealed, and this screen is not sent its reveal
   * again — a phone that (re)joins, or a hall screen that opens after a restart (the reveal was in
   * the memory that is gone). It reads only that the question was revealed.
   */
  revealed: boolean
  /**
   * With `revealed`, for a hall screen: the top five by score now. The scores are saved with each
   * reveal, so they outlive a restart; the key and the answer counts are not sent again.
   */
  top: LiveRankRow[]
  /** The open question; at a reveal, for a hall screen that is sent the reveal again (it is drawn on the question). */
  question: LiveQuestion | null
  endsAt: string | null
  answered: boolean
  score: number
  /** The player's place by score (ties share it), once a question has been asked; 0 before, and for a hall screen. */
  rank: number
  players: number
}

export interface ClientToServerEvents {
  /** Autosave of one answer over the exam page's socket; acknowledged only once committed. */
  'attempt:save': (payload: { attemptId: number; questionId: number; answer: unknown; deviceId?: string }, ack?: SaveAck) => void
  'exam:watch': (payload: { examId: number }, ack?: Ack) => void
  'exam:unwatch': (payload: { examId: number }, ack?: Ack) => void
  'points:watch': (payload: { orgId: number | null; period: PointsPeriod; by?: 'user' | 'org' }, ack?: Ack) => void
  'points:unwatch': (payload: { orgId: number | null; period: PointsPeriod; by?: 'user' | 'org' }, ack?: Ack) => void
  /** Queue for a match (`scope` department by default, or one's branch), or take an invitation (`invite`). */
  'battle:join': (
    payload: { mode: BattleMode; scope?: 'department' | 'branch'; invite?: string },
    ack?: AckWith<{ queued: boolean }>,
  ) => void
  /** Leave the queue, or forfeit the running battle. */
  'battle:leave': (payload?: Record<string, never>, ack?: Ack) => void
  /** Open a private match and wait in it; `userId` (a colleague of one's department) is told at once. */
  'battle:invite': (payload: { mode: BattleMode; userId?: number }, ack?: AckWith<{ code: string }>) => void
  'battle:answer': (payload: { battleId: number; index: number; answer: unknown }, ack?: Ack) => void
  /** Ask again for `battle:state` of one's own running battle (after a reload). */
  'battle:resume': (payload: { battleId: number }, ack?: Ack) => void
  'contest:join': (payload: { pin: string }, ack?: AckWith<{ contestId: number }>) => void
  /** `lockedAhead`: positions still to come that an open exam holds now (skipped if it still does when they come up); only when there are some. */
  'contest:host': (payload: { contestId: number }, ack?: AckWith<{ pin: string; players: number; lockedAhead?: number[] }>) => void
  /** The host moves on: the next question an open exam does not hold (skipping those it does), its reveal, or the podium. */
  'contest:next': (payload: { contestId: number }, ack?: Ack) => void
  'contest:answer': (payload: { contestId: number; index: number; answer: unknown }, ack?: Ack) => void
}

export interface ServerToClientEvents {
  'exam:progress': (payload: ExamProgress) => void
  'exam:leaderboard': (payload: { examId: number; top: ExamLeaderboardRow[] }) => void
  'points:leaderboard': (payload: { orgId: number | null; period: PointsPeriod; by: 'user' | 'org'; top: PointsLeaderboardRow[] }) => void
  /** The access token behind this socket expired, or the person's role or unit changed: refresh it and reconnect. */
  'auth:expired': () => void
  /** The session behind this socket ended (logout, revoked, account disabled): do not reconnect. */
  'session:ended': () => void
  /** An event was refused before it ran (too many events); `event` names it. */
  'rate:limited': (payload: { event: string }) => void
  'battle:matched': (payload: { battleId: number; mode: BattleMode; players: LivePlayer[]; total: number; startsAt: string }) => void
  /** Nobody could be matched in time (or the bank had too few questions): not queued any more. */
  'battle:unmatched': (payload: { mode: BattleMode; message: string }) => void
  'battle:invited': (payload: { code: string; mode: BattleMode; from: LivePlayer }) => void
  'battle:question': (payload: {
    battleId: number
    index: number
    question: LiveQuestion
    endsAt: string
    total: number
    now: string
  }) => void
  'battle:round': (payload: {
    battleId: number
    index: number
    correctAnswer: unknown
    scores: LiveScore[]
    results: { userId: number; answered: boolean; correct: boolean }[]
  }) => void
  'battle:player': (payload: { battleId: number; userId: number; status: 'away' | 'back' | 'forfeited' }) => void
  'battle:state': (payload: BattleState) => void
  'battle:end': (payload: { battleId: number; ranking: (LiveRankRow & { forfeited: boolean })[]; pointsEarned: number }) => void
  'contest:state': (payload: ContestState) => void
  /** To the host: how many have joined, and the latest names. */
  'contest:lobby': (payload: { contestId: number; players: number; names: string[]; answered: number }) => void
  'contest:question': (payload: {
    contestId: number
    index: number
    question: LiveQuestion
    endsAt: string
    total: number
    now: string
  }) => void
  'contest:reveal': (payload: {
    contestId: number
    index: number
    correctAnswer: unknown
    counts: Record<string, number>
    top: LiveRankRow[]
    total: number
  }) => void
  /**
   * To the hall and every phone: these positions (`indices`) were skipped, because an open exam
   * holds their questions; `skipped` is every position skipped so far. Nothing of the questions.
   */
  'contest:skipped': (payload: { contestId: number; indices: number[]; skipped: number[] }) => void
  /**
   * To the hall and every phone: the question at `index`, on screen until now, is void — no key, no
   * counts, no score for anyone — and why; `skipped` is every position skipped so far (it among them).
   */
  'contest:voided': (payload: { contestId: number; index: number; skipped: number[]; reason: ContestVoidReason }) => void
  /** To one player after each reveal: her own result. */
  'contest:result': (payload: { contestId: number; index: number; correct: boolean; points: number; score: number; rank: number }) => void
  'contest:end': (payload: { contestId: number; podium: LiveRankRow[] }) => void
  /** To the hall and every phone: the host cancelled the contest; it stops here (no podium). */
  'contest:cancelled': (payload: { contestId: number }) => void
  /** A new notification for this person (exam notices, 通报, tasks), as `GET /api/notifications` lists it. */
  notification: (payload: NotificationPayload) => void
}

/** What a client event's ack carries, read off its signature above. */
type AckReply<E> = E extends (payload: never, ack?: (reply: infer R) => void) => void ? R : never
/** What a game event's handler returns when it succeeds: the event's ack without `ok`. */
export type GameResult<N extends keyof GameCalls> = Omit<Extract<AckReply<ClientToServerEvents[N]>, { ok: true }>, 'ok'>
/** What the games home answers a forwarded event with: the socket's ack. */
export type GameReply<N extends keyof GameCalls = keyof GameCalls> = ({ ok: true } & GameResult<N>) | { ok: false; error: string }
/** The live-game events a process forwards to the games home, with their checked arguments. */
export interface GameCalls {
  'battle:join': { mode: BattleMode; scope: 'department' | 'branch'; invite?: string }
  'battle:invite': { mode: BattleMode; userId?: number }
  'battle:leave': Record<string, never>
  'battle:answer': { battleId: number; index: number; answer: unknown }
  'battle:resume': { battleId: number }
  'contest:join': { pin: string }
  'contest:host': { contestId: number }
  'contest:next': { contestId: number }
  'contest:answer': { contestId: number; index: number; answer: unknown }
}
/** A socket of a process that is not the games home came or went. */
export type GameNotice = 'connected' | 'disconnected'

/** Messages between server processes (through the Redis adapter, or the cluster primary); the games home adds its own. */
export interface InterServerEvents {
  'exam:dirty': (examId: number) => void
  'points:dirty': () => void
  /** A contest was cancelled (on whichever node took the request): the games home stops it. */
  'contest:cancelled': (contestId: number) => void
}
