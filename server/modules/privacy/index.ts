// privacy: leaderboard consent and the first-login notice, masked names on every board and push,
// export of one's own data, deletion requests. Boards elsewhere name people through boardNamer.
export { privacyRoutes } from './routes.js'
export { boardName, boardNamer, boardRowsOrNone, maskBoard, maskName, leaderboardMode } from './names.js'
export { seedDemoConsent } from './demo.js'
