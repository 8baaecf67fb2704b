// The entry point: config → database → migrations → first start → app → listen → graceful stop.
// With WORKERS > 1 on PostgreSQL the first process prepares the database and forks the workers
// (cluster.ts); each worker runs `serve` with the database already prepared.
import os from 'node:os'
import closeWithGrace from 'close-with-grace'
import { loadConfig, type Config } from './config.js'
import { openDatabase, type DbHandle } from './db/connect.js'
import { DataDirLockedError } from './db/pglite-lock.js'
import { migrateToLatest } from './db/migrator.js'
import { ensureFirstStart, FirstStartError, type FirstStartOutcome } from './seed/first-start.js'
import { DEMO_EXAM_TITLE, seedDemoExam } from './seed/demo-exam.js'
import { resolveJwtSecret } from './lib/secrets.js'
import { hashPool } from './lib/passwords.js'
import { buildApp, DEFAULT_WEB_DIST } from './app.js'
import { isClusterWorker, runWorkers } from './cluster.js'
import { acceptOnListenerCopies, forkListenerCopier } from './listener-copies.js'
import { startSweeper } from './modules/attempts/index.js'
import { startNotificationJob } from './modules/notifications/index.js'
import { startFeedbackReminders } from './modules/feedback/index.js'
import { startCircularJob } from './modules/circulars/index.js'
import { ensureWebBuilt } from './web-build.js'
import { syncBank, BANK_DIR } from './modules/questions/index.js'

const log = (msg: string) => console.log(`[xuece] ${msg}`)

const open = (config: Config) =>
  openDatabase(
    config.databaseUrl
      ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.databasePoolSize }
      : { kind: 'pglite', dataDir: config.dataDir },
  )

/** What happens once per deployment start, before anything serves: schema, first start, bank, web build. */
async function prepare(config: Config, handle: DbHandle): Promise<FirstStartOutcome> {
  log(`数据库：${handle.kind === 'postgres' ? 'PostgreSQL' : `嵌入式 PGlite（${config.dataDir}）`}`)
  await migrateToLatest(handle.db)
  const outcome = await ensureFirstStart(handle.db, {
    adminPassword: config.adminPassword,
    embedded: handle.kind === 'pglite',
    seedDemo: config.seedDemo,
  })
  const bank = await syncBank(handle.db, BANK_DIR)
  if (bank.inserted || bank.updated || bank.retired) log(`题库已同步：新增 ${bank.inserted}，更新 ${bank.updated}，停用 ${bank.retired}`)
  // The demo's exam draws its papers from the bank, so it comes once the bank is loaded. It is a
  // convenience: a bank edited so that it cannot be drawn says so here and the app starts anyway.
  if (outcome.kind === 'demo') {
    try {
      const exam = await seedDemoExam(handle.db)
      log(
        `已生成演示考试「${DEMO_EXAM_TITLE}」：${exam.submitted} 人已交卷、${exam.inProgress} 人正在作答；dy0001 和各支部书记尚未参加，可登录试考`,
      )
    } catch (err) {
      log(`未能生成演示考试：${err instanceof Error ? err.message : String(err)}`)
    }
  }
  await ensureWebBuilt(DEFAULT_WEB_DIST, log)
  return outcome
}

/** One whole server on the prepared database: the app, its background jobs, listening. */
async function serve(config: Config, handle: DbHandle, jwtSecret: string) {
  hashPool.configure(config.hashConcurrency, config.hashQueue)
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
    autosaveLanes: config.autosaveLanes,
    // One connection per lane, and one for a save that waits out a submit's row lock on its own.
    autosaveDb: handle.dedicated?.(config.autosaveLanes + 1),
    // Pushes are serialised per exam and a few a second: one connection carries them.
    pushDb: handle.dedicated?.(1),
    poolReading: handle.poolReading,
    clusterWorker: isClusterWorker(),
  })
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'shutting down after error')
    await app.close()
    await handle.close()
  })
  // Also submits attempts whose deadline passed while the server was down. Every process runs the
  // jobs: each claims its work in the database (SKIP LOCKED, one claim per cause), so none is done
  // twice. Registered before listening: Fastify takes no hooks once it listens.
  const stopSweeper = startSweeper(app.deps)
  const stopNotices = startNotificationJob(app.deps)
  const stopFeedbackReminders = startFeedbackReminders(app.deps)
  const stopCirculars = startCircularJob(app.deps)
  let stopListenerCopies = () => {}
  app.addHook('preClose', async () => stopListenerCopies())
  app.addHook('onClose', async () => {
    stopSweeper()
    stopNotices()
    stopFeedbackReminders()
    stopCirculars()
  })
  // A deep accept queue: 2,000 phones opening the exam within seconds arrive faster than a busy
  // event loop accepts them, and Node's default of 511 overflowed (connects timed out or were
  // reset). The kernel caps it at net.core.somaxconn (4096 on current Linux).
  const backlog = 4096
  await app.listen({ port: config.port, host: config.host, backlog })
  // The server accepts on several handles: one per handle per event-loop turn is all libuv takes.
  // The first is the one it listens on; the rest are copies from the primary (a worker) or from a
  // helper forked for the moment (a single process).
  const count = config.listenersPerWorker - 1
  const copier = isClusterWorker() || count < 1 ? null : forkListenerCopier()
  const onError = (err: unknown) => app.log.warn({ err }, 'accepting on a listener copy failed')
  try {
    stopListenerCopies = await acceptOnListenerCopies(app.server, { peer: copier ?? process, count, backlog, onError })
  } catch (err) {
    // Without its copies the server still serves, on one handle: better than failing to start.
    onError(err)
  } finally {
    if (copier?.connected) copier.disconnect()
  }
}

function banner(config: Config, outcome: FirstStartOutcome, workers: number) {
  // One write, so nobody reading the output sees the banner without its accounts.
  const lines = [`已启动：http://localhost:${config.port}${workers > 1 ? `（${workers} 个工作进程）` : ''}`]
  if (outcome.kind === 'admin') lines.push('已创建管理员账号 admin（密码为 ADMIN_PASSWORD）')
  if (outcome.kind === 'demo') {
    lines.push('已生成演示数据，演示账号：')
    for (const a of outcome.accounts)
      lines.push(`  ${a.username.padEnd(10)} ${a.password.padEnd(12)} ${a.role.padEnd(9)} ${a.name}（${a.org}）`)
  }
  console.log(lines.map((l) => `[xuece] ${l}`).join('\n'))
}

async function main() {
  const config = loadConfig()
  const jwtSecret = resolveJwtSecret(config)
  if (isClusterWorker()) return serve(config, await open(config), jwtSecret)

  const handle = await open(config)
  let outcome: FirstStartOutcome
  try {
    outcome = await prepare(config, handle)
  } catch (err) {
    await handle.close()
    throw err
  }
  const workers = handle.kind === 'postgres' ? (config.workers ?? os.availableParallelism()) : 1
  if ((config.workers ?? 1) > 1 && handle.kind !== 'postgres') log('嵌入式 PGlite 只能单进程运行，已忽略 WORKERS')
  if (workers === 1) {
    try {
      await serve(config, handle, jwtSecret)
    } catch (err) {
      await handle.close()
      throw err
    }
  } else {
    await handle.close()
    const stop = await runWorkers({ workers, log })
    closeWithGrace({ delay: 15_000 }, async ({ err }) => {
      if (err) console.error('[xuece] shutting down after error', err)
      await stop()
    })
  }
  banner(config, outcome, workers)
}

main().catch((err) => {
  if (err instanceof DataDirLockedError || err instanceof FirstStartError || /JWT_SECRET/.test(String(err?.message))) {
    console.error(`[xuece] 无法启动：${err.message}`)
  } else {
    console.error('[xuece] 启动失败：', err)
  }
  process.exit(1)
})
