import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, type TestContext } from './helpers/app.js'

let t: TestContext
beforeAll(async () => {
  t = await createTestContext()
})
afterAll(async () => {
  await t?.close()
})

describe('health and unknown routes', () => {
  it('reports the database kind without auth', async () => {
    const res = await t.http().get('/api/health')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ok', db: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite', demo: true })
  })

  it('answers unknown /api paths with a JSON 404', async () => {
    const res = await t.http().get('/api/no-such-thing')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('NOT_FOUND')
  })

  it('serves the OpenAPI description', async () => {
    const res = await t.http().get('/api/docs/json')
    expect(res.status).toBe(200)
    expect(res.body.paths['/api/auth/login']).toBeDefined()
  })
})
