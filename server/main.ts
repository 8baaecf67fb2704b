// The entry point: config → database → migrations → first start → app → listen → graceful stop.
import closeWithGrace from 'close-with-grace'
import { loadConfig } from './config.js'
import { openDatabase } from './db/connect.js'
import { DataDirLockedError } from './db/pglite-lock.js'
import { migrateToLatest } from './db/migrator.js'
import { ensureFirstStart, FirstStartError } from './seed/first-start.js'
import { resolveJwtSecret } from './lib/secrets.js'
import { buildApp, DEFAULT_WEB_DIST } from './app.js'
import { startSweeper } from './modules/attempts/index.js'
import { startNotificationJob } from './modules/notifications/index.js'
import { startFeedbackReminders } from './modules/feedback/index.js'
import { ensureWebBuilt } from './web-build.js'
import { syncBank, BANK_DIR } from './modules/questions/index.js'

const log = (msg: string) => console.log(`[xuece] ${msg}`)

async function main() {
  const config = loadConfig()
  const jwtSecret = resolveJwtSecret(config)
  const handle = await openDatabase(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize }
      : { kind: 'pglite', dataDir: config.dataDir },
  )
  log(`数据库：${handle.kind === 'postgres' ? 'PostgreSQL' : `嵌入式 PGlite（${config.dataDir}）`}`)
  try {
    await migrateToLatest(handle.db)
    const outcome = await ensureFirstStart(handle.db, {
      adminPassword: config.adminPassword,
      embedded: handle.kind === 'pglite',
      seedDemo: config.seedDemo,
    })
    const bank = await syncBank(handle.db, BANK_DIR)
    if (bank.inserted || bank.updated || bank.retired) log(`题库已同步：新增 ${bank.inserted}，更新 ${bank.updated}，停用 ${bank.retired}`)
    await ensureWebBuilt(DEFAULT_WEB_DIST, log)
    const app = await buildApp({
      db: handle.db,
      dbKind: handle.kind,
      jwtSecret,
      logLevel: config.logLevel,
      accessTokenMinutes: config.accessTokenMinutes,
      refreshTokenDays: config.refreshTokenDays,
      redisUrl: config.redisUrl,
      dataDir: config.dataDir,
      trustProxy: config.trustProxy,
    })
    closeWithGrace({ delay: 10_000 }, async ({ err }) => {
      if (err) app.log.error({ err }, 'shutting down after error')
      await app.close()
      await handle.close()
    })
    // Also submits attempts whose deadline passed while the server was down. Registered before
    // listening: Fastify takes no hooks once it listens.
    const stopSweeper = startSweeper(app.deps)
    const stopNotices = startNotificationJob(app.deps)
    const stopFeedbackReminders = startFeedbackReminders(app.deps)
    app.addHook('onClose', async () => {
      stopSweeper()
      stopNotices()
      stopFeedbackReminders()
    })
    await app.listen({ port: config.port, host: config.host })
    // One write, so nobody reading the output sees the banner without its accounts.
    const lines = [`已启动：http://localhost:${config.port}`]
    if (outcome.kind === 'admin') lines.push('已创建管理员账号 admin（密码为 ADMIN_PASSWORD）')
    if (outcome.kind === 'demo') {
      lines.push('已生成演示数据，演示账号：')
      for (const a of outcome.accounts)
        lines.push(`  ${a.username.padEnd(10)} ${a.password.padEnd(12)} ${a.role.padEnd(9)} ${a.name}（${a.org}）`)
    }
    console.log(lines.map((l) => `[xuece] ${l}`).join('\n'))
  } catch (err) {
    await handle.close()
    throw err
  }
}

main().catch((err) => {
  if (err instanceof DataDirLockedError || err instanceof FirstStartError || /JWT_SECRET/.test(String(err?.message))) {
    console.error(`[xuece] 无法启动：${err.message}`)
  } else {
    console.error('[xuece] 启动失败：', err)
  }
  process.exit(1)
})
