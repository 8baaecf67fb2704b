// health: the public health check and the admin's process metrics.
export { healthRoutes } from './routes.js'
