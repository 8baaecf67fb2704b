// auth: login, rotating refresh tokens, logout, password change, login throttling.
export { authRoutes } from './routes.js'
