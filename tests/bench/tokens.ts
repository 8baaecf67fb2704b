// Sessions minted straight into the database, so a 20,000-taker run does not spend minutes on
// Argon2 logins (logins are still measured on a sample of real ones). Standard HS256 JWTs.
import { createHmac, randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../server/db/types.js'

const b64 = (v: string | Buffer) => Buffer.from(v).toString('base64url')

export function signJwt(payload: Record<string, unknown>, secret: string, ttlSeconds = 4 * 3600): string {
  const now = Math.floor(Date.now() / 1000)
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))
  const body = b64(JSON.stringify({ ...payload, iat: now, exp: now + ttlSeconds }))
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url')
  return `${head}.${body}.${sig}`
}

export async function mintTokens(db: Kysely<Database>, userIds: number[], secret: string): Promise<Map<number, string>> {
  const tokens = new Map<number, string>()
  const rows = userIds.map((id) => ({
    id: randomBytes(12).toString('base64url'),
    user_id: id,
    token_hash: randomBytes(16).toString('hex'),
    expires_at: new Date(Date.now() + 86_400_000),
  }))
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto('sessions')
      .values(rows.slice(i, i + 1000))
      .execute()
  for (const r of rows) tokens.set(r.user_id, signJwt({ sub: r.user_id, sid: r.id }, secret))
  return tokens
}
