// reports: participation per unit (党员数, 学习人次, 考试场次, 参考人次 …) with xlsx export.
export { reportRoutes } from './routes.js'
