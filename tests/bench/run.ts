// `npm run bench [-- --takers 20000 --save-interval 5000 --answers 5 --workers 2 --find-max]`
// Starts the server on a PostgreSQL database it creates, measures baselines in the same run,
// drives a simulated exam day from separate load-generator processes, fires a login storm and a
// refresh storm at the server while the takers are in the exam, and reports every figure against
// issue 16's targets. The flags are in options.ts; the parts, in the order they run:
//   baselines.ts          the yardsticks, same machine, same run
//   server-under-test.ts  the database seeded and the server started (or `npm start` embedded)
//   exam-day.ts           the exam, its watchers, the load generators (loadgen.ts) and the storms
//                         (twice with --warm: the first day only warms the server up)
//   find-max.ts           with --find-max, the autosave sustained maximum over HTTP and sockets
//   assemble.ts           the raw measurements turned into the report's figures
//   report.ts             the figures checked against the targets: Markdown, JSON and HTML
import path from 'node:path'
import { findMaxOverHttp, findMaxOverSockets } from './find-max.js'
import type { OpenAttempt } from './socket-max.js'
import { sampleTree } from './proc.js'
import { checkTargets, markdown, writeReport, type BenchReport } from './report.js'
import { benchOptions } from './options.js'
import { BenchChildren } from './children.js'
import { measureBaselines, type Baselines } from './baselines.js'
import { adminStatement } from '../helpers/pg-client.js'
import { embeddedServer, postgresServer, type ServerUnderTest } from './server-under-test.js'
import { asAdmin, runExamDay, type ExamDay } from './exam-day.js'
import { assembleReport } from './assemble.js'

const log = (m: string) => console.error(`[bench] ${m}`)

// `--scenario duels|contest`: the live-game scenarios, with flags of their own (tests/bench/live.ts).
const liveScenario = process.argv
  .slice(2)
  .join(' ')
  .match(/--scenario[= ](duels|contest)\b/)?.[1]
if (liveScenario) {
  const { runLive } = await import('./live.js')
  await runLive(process.argv.slice(2)).then(
    () => process.exit(0),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
}

const options = benchOptions(process.argv.slice(2), log)

async function main() {
  const dbName = `xuece_bench_${Date.now().toString(36)}`
  await adminStatement(options.database, `create database ${dbName}`)
  const url = new URL(options.database)
  url.pathname = `/${dbName}`
  const children = new BenchChildren()
  let sut: ServerUnderTest | undefined
  let tree: ReturnType<typeof sampleTree> | undefined
  try {
    const baselines = await measureBaselines(url, children, log)
    sut = options.embedded ? await embeddedServer(options) : await postgresServer(options, url, dbName, log)
    tree = sampleTree(sut.serverPid, 1000, () => children.loadgenPids)
    if (options.warm) {
      // Same takers, a new exam of the same shape: the measured day's starts are not resumes.
      log('warm-up: a whole exam day first, without storms, not measured')
      const warmUp = await runExamDay(sut, { ...options, storm: 0 }, children, log)
      warmUp.closeWatchers()
    }
    const day = await runExamDay(sut, options, children, log)
    const saturation = options.findMax ? await findTheMaximum(sut, day, baselines) : {}
    day.closeWatchers()
    const report: Omit<BenchReport, 'targets'> = assembleReport({ options, sut, baselines, day, ...saturation, treeSamples: tree.stop() })
    const checked: BenchReport = { ...report, targets: checkTargets(report) }
    console.log(markdown(checked))
    const files = writeReport(checked, path.join(import.meta.dirname, '../../bench/results'))
    log(`report: ${files.json}, ${files.html}; all runs: ${files.index}`)
  } finally {
    tree?.stop()
    if (process.env.LOADGEN_CPU_PROF) await children.loadgensExited().catch(() => {}) // their profiles written
    children.killAll()
    await sut?.close()
    await adminStatement(options.database, `drop database if exists ${dbName} with (force)`).catch(() => {})
  }
}

/** `--find-max`: fresh open attempts on a second exam (the exam day's are all submitted by now), saved into until the limits break. */
async function findTheMaximum(sut: ServerUnderTest, day: ExamDay, baselines: Baselines) {
  log('finding the sustained autosave maximum')
  const exam2 = await asAdmin(sut, '/api/exams', {
    ...day.exam,
    id: undefined,
    createdAt: undefined,
    maxScore: undefined,
    questionCount: undefined,
    instructions: undefined,
    title: '饱和测试',
  })
  const open: OpenAttempt[] = []
  // Up to 2,000 attempts: over sockets, each saving ≤ 16/s, that offers up to 32,000 saves a second.
  for (const username of sut.takers.slice(0, 2000)) {
    const token = (await sut.tokenOf(username))!
    const r = await fetch(`${sut.base}/api/exams/${exam2.id}/attempts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    }).then((x) => x.json() as Promise<any>)
    open.push({ id: r.attemptId, token, q: r.questions.filter((q: any) => q.type === 'judge').map((q: any) => q.id) })
  }
  const ratios = { upsert: baselines.upsert.rps, batched: baselines.batched.rps }
  return {
    findMax: await findMaxOverHttp(sut.base, open, ratios, log),
    findMaxSocket: await findMaxOverSockets(sut.base, open, options.loadgens, ratios, log),
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err)
    process.exit(1)
  },
)
