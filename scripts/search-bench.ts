// Bank search at scale: fills a fresh PostgreSQL database (or PGlite when no URL is given) with
// 50,000 questions and times `GET /api/questions?q=` for a mix of queries, against a baseline in the
// same run (the plain first page, no text). Prints p50/p99 and whether the trigram index is used.
//   npx tsx scripts/search-bench.ts [postgres://…/postgres]
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { sql } from 'kysely'
import { openDatabase } from '../server/db/connect.js'
import { migrateToLatest } from '../server/db/migrator.js'
import { searchQuestions } from '../server/modules/questions/queries.js'

const N = 50_000
const adminUrl = process.argv[2]
const dbName = `xuece_search_${process.pid}`
let handle
if (adminUrl) {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  await admin.query(`create database ${dbName}`)
  await admin.end()
  handle = await openDatabase({ kind: 'postgres', url: adminUrl.replace(/\/[^/]*$/, `/${dbName}`) })
} else {
  handle = await openDatabase({ kind: 'pglite' })
}
const db = handle.db
try {
  await migrateToLatest(db)
  const words = [
    '遵义会议',
    '三线建设',
    '党的二十大',
    '中国式现代化',
    '新型工业化',
    '红军长征',
    '全面从严治党',
    '贵州',
    '大数据',
    '工匠精神',
    '国家安全',
    '数字经济',
  ]
  const rows = Array.from({ length: N }, (_, i) => {
    const a = words[i % words.length],
      b = words[(i * 7 + 3) % words.length]
    return {
      type: 'judge' as const,
      stem: `第${i}题：关于${a}与${b}的表述${i % 97 === 0 ? '（罕见词：铁道兵）' : ''}是否正确？`,
      answer: JSON.stringify(true),
      explanation: `${b}相关知识点 ${i}`,
      category: '测试/检索',
      status: 'published' as const,
      fingerprint: `search-bench-${i}`,
      tags: JSON.stringify([a]),
    }
  })
  for (let i = 0; i < N; i += 2_000)
    await db
      .insertInto('questions')
      .values(rows.slice(i, i + 2_000) as never)
      .execute()
  await sql`analyze questions`.execute(db)

  const time = async (q: string | undefined, runs: number) => {
    const ms: number[] = []
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      await searchQuestions(db, { q, page: 1, pageSize: 20 })
      ms.push(performance.now() - t0)
    }
    ms.sort((x, y) => x - y)
    return { p50: ms[Math.floor(runs * 0.5)], p99: ms[Math.min(runs - 1, Math.floor(runs * 0.99))] }
  }
  const baseline = await time(undefined, 100)
  const queries = ['铁道兵', '中国式现代化', '三线建设', '第4999题', 'zzz-none']
  const results = []
  for (const q of queries) results.push({ q, ...(await time(q, 100)) })
  const plan = await sql<{
    'QUERY PLAN': string
  }>`explain select id from questions where search_text like '%铁道兵%'`.execute(db)
  const usesIndex = plan.rows.some((r) => r['QUERY PLAN'].includes('questions_search_text_trgm'))
  if (process.env.EXPLAIN) {
    for (const q of ['三线建设', '铁道兵']) {
      const e = await sql<{
        'QUERY PLAN': string
      }>`explain analyze select count(*) from questions where search_text like ${'%' + q + '%'}`.execute(db)
      console.log(e.rows.map((r) => r['QUERY PLAN']).join('\n'))
    }
  }
  console.log(JSON.stringify({ database: handle.kind, questions: N, baseline, results, usesIndex }, null, 2))
  const worst = Math.max(...results.map((r) => r.p99))
  console.log(
    `search p99 (worst query) ${worst.toFixed(1)} ms; plain page p99 ${baseline.p99.toFixed(1)} ms; ratio ${(worst / baseline.p99).toFixed(1)}×; trigram index used: ${usesIndex}`,
  )
} finally {
  await handle.close()
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl })
    await admin.connect()
    await admin.query(`drop database if exists ${dbName}`)
    await admin.end()
  }
}
