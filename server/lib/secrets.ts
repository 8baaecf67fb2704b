import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

/** JWT_SECRET is required with PostgreSQL (all nodes must share it); embedded mode keeps one in DATA_DIR. */
export function resolveJwtSecret(opts: { jwtSecret?: string; databaseUrl?: string; dataDir: string }): string {
  if (opts.jwtSecret) return opts.jwtSecret
  if (opts.databaseUrl) throw new Error('使用 DATABASE_URL 时必须设置 JWT_SECRET（所有节点使用同一个值）。')
  const file = path.join(opts.dataDir, 'jwt-secret')
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim()
  fs.mkdirSync(opts.dataDir, { recursive: true })
  const secret = randomBytes(48).toString('base64url')
  fs.writeFileSync(file, secret, { mode: 0o600 })
  return secret
}
