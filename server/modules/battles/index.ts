// battles: 双人对战 and 四人赛 — matchmaking, rounds timed by the server, scoring, points by the
// rules of record. Contests (现场竞答) reuse its question drawing and scoring.
export { battleRoutes } from './routes.js'
export { registerBattles, battleRuntimeOf } from './events.js'
export { DEFAULT_BATTLE_TIMING, liveQuestion, sendTo, type BattleTiming, type LockedFor } from './runtime.js'
export { contestPoints, minReadMs, rankByScore, type ReadingSpeed } from './scoring.js'
export { drawQuestionIds, publishedAmong } from './queries.js'
export { lockedByExams } from './locked.js'
