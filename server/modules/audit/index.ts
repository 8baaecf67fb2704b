// audit: reading, searching and exporting the append-only security audit log (writing is
// lib/audit.ts, inside each service's transaction).
export { auditRoutes } from './routes.js'
