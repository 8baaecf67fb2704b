// contests: 现场竞答 for a 主题党日 hall — PIN and QR, a host who advances, Kahoot-style scoring,
// reveals with the answer distribution and the top five, a podium, results and their export; a
// finished contest becomes a `contest` activity of the campaign ledger.
export { contestRoutes } from './routes.js'
export { registerContests, contestRuntimeOf } from './events.js'
