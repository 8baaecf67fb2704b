// policy: the deployment's compliance switches (points, leaderboards, individual lists, reminders,
// session limits, TOTP, the about page). Other modules read them through these functions.
export { policyRoutes } from './routes.js'
export { readPolicy, pointRuleEnabled, mayListIndividualPoints, reminderAllowed, ORGANISED_WORK } from './service.js'
export { POLICY_DEFAULTS } from './defaults.js'
export type { Policy, LeaderboardMode } from './schemas.js'
