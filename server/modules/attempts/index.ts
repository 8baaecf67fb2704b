// attempts: taking an exam — start or resume, autosave (group commit), submit, review, the sweeper
// that submits at the deadline, and the per-exam counters kept in the same statements.
export { attemptRoutes } from './routes.js'
export { startSweeper, sweepOverdue } from './finalize.js'
