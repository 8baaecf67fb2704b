// points: versioned rules, the capped idempotent ledger, leaderboards and their live pushes.
// Other modules award points inside their own transaction with `award`.
export { pointRoutes } from './routes.js'
export { registerPointEvents } from './events.js'
export { registerPointReactions } from './reactions.js'
export { award, type AwardInput, type AwardResult } from './award.js'
export { ruleOn } from './rules.js'
