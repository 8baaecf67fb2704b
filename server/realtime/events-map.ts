// The socket.io event maps, shared by the server and the web app (type-only imports there).
// Names are `noun:verb`; client → server events answer through an ack.

export interface OrgProgress { orgId: number; name: string; invited: number; started: number; submitted: number; avgScore: number | null }

export interface ExamProgress { examId: number; invited: number; started: number; submitted: number; byOrg: OrgProgress[] }

export interface ExamLeaderboardRow { rank: number; userId: number; name: string; orgName: string; score: number; durationSeconds?: number }

export interface PointsLeaderboardRow { rank: number; id: number; name: string; points: number; members?: number; perCapita?: number }

export type PointsPeriod = 'day' | 'week' | 'month' | 'total'

export type Ack = (reply: { ok: true } | { ok: false; error: string }) => void

export interface ClientToServerEvents {
  'exam:watch': (payload: { examId: number }, ack?: Ack) => void
  'exam:unwatch': (payload: { examId: number }, ack?: Ack) => void
  'points:watch': (payload: { orgId: number | null; period: PointsPeriod; by?: 'user' | 'org' }, ack?: Ack) => void
  'points:unwatch': (payload: { orgId: number | null; period: PointsPeriod; by?: 'user' | 'org' }, ack?: Ack) => void
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
}

/** Messages between server nodes (through the Redis adapter). */
export interface InterServerEvents {
  'exam:dirty': (examId: number) => void
  'points:dirty': () => void
}
