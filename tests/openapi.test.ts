// The API description integrators generate clients from: OpenAPI 3.1 (valid for TypeBox's numeric
// exclusiveMinimum), a unique operationId on every operation, and the public operations (health,
// login, refresh) marked as needing no token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestContext, type TestContext } from './helpers/app.js'

type Operation = { operationId?: string; security?: unknown[] }
let t: TestContext
let operations: [string, Operation][]
beforeAll(async () => {
  t = await createTestContext()
  const doc = t.app.swagger() as { openapi: string; paths: Record<string, Record<string, Operation>> }
  expect(doc.openapi).toBe('3.1.0')
  operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.entries(ops).map(([m, op]): [string, Operation] => [`${m.toUpperCase()} ${p}`, op]),
  )
})
afterAll(async () => {
  await t?.close()
})

describe('the OpenAPI description', () => {
  it('names every operation once', () => {
    expect(operations.length).toBeGreaterThan(60)
    expect(operations.filter(([, op]) => !op.operationId).map(([name]) => name)).toEqual([])
    const ids = operations.map(([, op]) => op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(Object.fromEntries(operations)['GET /api/exams/{id}/results'].operationId).toBe('getExamsByIdResults')
  })

  it('marks exactly the public operations as needing no token', () => {
    const open = operations
      .filter(([, op]) => Array.isArray(op.security) && op.security.length === 0)
      .map(([name]) => name)
      .sort()
    expect(open).toEqual(['GET /api/health', 'POST /api/auth/login', 'POST /api/auth/refresh'])
  })
})
