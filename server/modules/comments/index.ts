// comments: 发表观点 — members comment on study materials and 专栏 items; staff of the commenter's
// org moderate; approval shows the comment and earns the 发表观点 points; admins keep the
// sensitive-word list.
export { commentRoutes } from './routes.js'
