// 首页's points card links each rule to the page that earns it, and says 暂未开放 for a rule with
// none. Every rule the server counts today must have its page, or the card tells members a
// working activity is closed (web/src/components/study/ruleTarget.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, type TestContext } from './helpers/app.js'
import { ruleTarget } from '../web/src/components/study/ruleTarget.js'

let t: TestContext
beforeAll(async () => {
  t = await createTestContext()
})
afterAll(async () => {
  await t?.close()
})

/** Rules a member earns without going anywhere: signing in, and an admin's adjustment. */
const EARNED_IN_PLACE = new Set(['login', 'adjust'])

describe('where each point rule is earned', () => {
  it('every rule in force has a page, but those earned in place', async () => {
    const rules = await t.db.selectFrom('point_rules').select('code').distinct().execute()
    expect(rules.length).toBeGreaterThan(5)
    const missing = rules.map((r) => r.code).filter((code) => !EARNED_IN_PLACE.has(code) && ruleTarget(code) === null)
    expect(missing).toEqual([])
  })
})
