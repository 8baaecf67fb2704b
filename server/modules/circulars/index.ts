// circulars: the 通报 of organised work (routes /api/bulletins) — weekly and monthly, on demand and
// by a schedule safe on several nodes, one per recipient and period, with its xlsx and an editable
// wording; and the scheduled notices of organised work (overdue tasks, contests opening).
export { circularRoutes } from './routes.js'
export { runCircularJob, startCircularJob } from './scheduler.js'
