// Reads that many requests share for a few seconds — each exam with its audience (the exam
// catalog), the policy switches behind every session check. When an entry expires in the middle of
// a wave of starts, the requests of that moment share one read instead of each sending their own
// into a pool whose queue the wave has already filled; a change made on this node is never hidden
// by a read that began before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, bearer, type TestContext } from './helpers/app.js'
import { createOpenExam } from './helpers/exams.js'
import { DEMO_ADMIN } from '../server/seed/demo.js'
import { ExamCatalog } from '../server/modules/exams/catalog.js'
import { readPolicy } from '../server/modules/policy/service.js'

describe('exam catalog', () => {
  let t: TestContext
  let catalog: ExamCatalog
  let examId: number
  let admin: string

  beforeAll(async () => {
    t = await createTestContext()
    admin = await t.login(DEMO_ADMIN.username)
    const orgs: { id: number; name: string }[] = (await t.http().get('/api/orgs').set(bearer(admin))).body
    examId = (await createOpenExam(t, admin, { title: '目录缓存', audienceOrgIds: [orgs.find((o) => o.name === '省工业和信息化厅')!.id] }))
      .id
    catalog = new ExamCatalog(t.app.deps)
  })
  afterAll(async () => {
    catalog?.close()
    await t?.close()
  })

  it('answers simultaneous misses with one read', async () => {
    catalog.forget(examId)
    const found = await Promise.all(Array.from({ length: 20 }, () => catalog.withAudience(examId)))
    // Each read builds an entry of its own: one object for all twenty means one read.
    expect(new Set(found).size).toBe(1)
    expect(found[0]?.exam.title).toBe('目录缓存')
    expect(await catalog.withAudience(examId)).toBe(found[0])
  })

  it('does not keep a read that overlapped an edit', async () => {
    catalog.forget(examId)
    const before = catalog.withAudience(examId)
    catalog.forget(examId) // an edit lands while the read is on its way
    const first = await before
    // The read that began before the edit was not kept: the next caller reads again.
    expect(await catalog.withAudience(examId)).not.toBe(first)
  })

  it('does not make a caller after an edit wait for the older read', async () => {
    catalog.forget(examId)
    const before = catalog.withAudience(examId)
    catalog.forget(examId)
    const during = catalog.withAudience(examId)
    expect(during).not.toBe(before)
    const [first, second] = await Promise.all([before, during])
    expect(second).not.toBe(first)
    expect(await catalog.withAudience(examId)).toBe(second)
  })

  it('reads a missing exam as null', async () => {
    const found = await Promise.all([catalog.withAudience(987_654), catalog.withAudience(987_654)])
    expect(found).toEqual([null, null])
  })
})

describe('policy switches', () => {
  let t: TestContext

  beforeAll(async () => {
    t = await createTestContext()
  })
  afterAll(async () => {
    await t?.close()
  })

  it('answers simultaneous misses with one read', async () => {
    await readPolicy(t.db)
    await new Promise((resolve) => setTimeout(resolve, 2_100)) // past the policy's cache
    const read = await Promise.all(Array.from({ length: 20 }, () => readPolicy(t.db)))
    expect(new Set(read).size).toBe(1)
  })
})
