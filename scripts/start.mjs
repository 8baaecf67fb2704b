// npm start: runs the server from its build in dist/. A fresh clone (or a checkout with newer
// sources than the build) gets the build once, here — about a second; the web app is built by the
// server itself on its first start when web/dist is missing. Everything else is `npm run build`.
import { buildServer, serverBuildIsCurrent } from './build-server.mjs'

if (!serverBuildIsCurrent()) {
  console.log('[xuece] 正在构建服务端（dist/）…')
  await buildServer()
}
await import('../dist/server/main.js')
