// study: materials with verified study time, practice modes, the wrong-book, media uploads.
export { studyRoutes } from './routes.js'
export { registerMediaFiles } from './media.js'
