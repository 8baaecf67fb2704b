// Refuses input that no field of ours may hold before it reaches a handler: a NUL character.
// PostgreSQL cannot store U+0000 in text or jsonb and would fail the query with a 500 deep inside
// a transaction; here it becomes a 400 that names the field, for the path, the query and JSON bodies.
import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import { validationError } from '../lib/errors.js'

const NUL = '\u0000'

/** The dotted path of the first string (or key) holding a NUL character, or null. */
export function findNul(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes(NUL) ? path || '(整体)' : null
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], path ? `${path}.${i}` : String(i))
      if (hit) return hit
    }
    return null
  }
  if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, v] of Object.entries(value)) {
      const here = path ? `${path}.${key}` : key
      if (key.includes(NUL)) return here
      const hit = findNul(v, here)
      if (hit) return hit
    }
  }
  return null
}

export default fp(async function inputGuard(app: FastifyInstance) {
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const field = findNul(value)
      if (field)
        throw validationError(`${field} 含有不允许的空字符（NUL）`, [
          { field: `${part === 'body' ? '' : `${part}.`}${field}`, message: '含有空字符' },
        ])
    }
  })
})
