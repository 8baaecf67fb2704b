// attempts: taking an exam — start or resume, autosave (group commit, over HTTP or the exam page's
// socket), submit, review, the sweeper that submits at the deadline, and the per-exam counters kept
// in the same statements.
export { attemptRoutes } from './routes.js'
export { registerAttemptEvents } from './events.js'
export { AttemptState } from './state.js'
export { saveAnswer, startAttempt, submitAttempt } from './service.js'
export { startSweeper, sweepOverdue } from './finalize.js'
