// results: an exam's outcome — results per person (and their xlsx), leaderboards, live progress
// per unit, per-question statistics, and the coalesced socket pushes to watchers.
export { resultRoutes } from './routes.js'
export { registerResultEvents } from './events.js'
