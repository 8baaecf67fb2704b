// orgs: the org tree with materialised paths. Others read orgs through these queries.
export { orgRoutes } from './routes.js'
export { findOrg, listOrgs } from './queries.js'
