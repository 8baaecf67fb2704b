// campaign: the 五学 台账 — activities and sign-in, tallies (with 知识测试 and 自学 counted from their
// own data), task lists, 月工作提示, 简报, and the campaign report. Other modules record an activity
// with `recordActivity` inside their own transaction (a finished live contest is a `contest`).
export { recordActivity, type RecordActivityInput } from './activities.js'
export { ACTIVITY_TYPES, type ActivityType } from './schemas.js'
export { campaignRoutes } from './routes.js'
export { campaignFileRoutes } from './file-routes.js'
// For the 通报 of organised work (circulars): the tally, task completion and who handles a task.
export { computeTally, activityTotals, type OrgRef, type TypeFigures } from './tally.js'
export { tasksOfSubtree, taskHandlers } from './tasks.js'
export { TYPE_LABELS } from './labels.js'
export type { TaskBody } from './schemas.js'
