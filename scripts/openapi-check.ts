// The API description as integrators get it, checked the way they would use it:
//   1. every operation answers with a described success (a schema for each 2xx),
//   2. `redocly lint` finds no error in the served document,
//   3. `openapi-typescript` generates a client from it, and a small program written against that
//      client type-checks — so a generated client knows login, exams and autosave by name.
// Writes the document to `openapi.json` (git-ignored) for anyone who wants to look.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { buildApp } from '../server/app.js'
import { openDatabase } from '../server/db/connect.js'

type Operation = { operationId?: string; responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }

const handle = await openDatabase({ kind: 'pglite' })
const app = await buildApp({
  db: handle.db,
  dbKind: handle.kind,
  jwtSecret: 'openapi-check-secret-0123456789',
  logLevel: 'silent',
  webDist: '/nonexistent',
  dataDir: os.tmpdir(),
})
await app.ready()
const doc = app.swagger() as { paths: Record<string, Record<string, Operation>> }
await app.close()
await handle.close()

const problems: string[] = []
for (const [url, ops] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    const ok = Object.entries(op.responses ?? {}).filter(([code]) => /^2/.test(code))
    // A 204 has no body by definition; every other success says what it carries.
    const described = ok.some(([code, r]) => code === '204' || Object.values(r.content ?? {}).some((c) => c.schema !== undefined))
    if (!described) problems.push(`${method.toUpperCase()} ${url}: no described success response`)
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xuece-openapi-'))
const docPath = path.resolve('openapi.json')
fs.writeFileSync(docPath, JSON.stringify(doc, null, 2))
const bin = (name: string) => path.resolve('node_modules/.bin', name)
const run = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string }
    problems.push(`${path.basename(cmd)} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`)
    return ''
  }
}

// Recommended rules, minus those that ask for things this API deliberately does not have
// (a licence, servers — the API is served from wherever the app is deployed).
fs.writeFileSync(
  path.join(dir, 'redocly.yaml'),
  `extends:\n  - recommended\nrules:\n  info-license: off\n  info-license-url: off\n  no-server-example.com: off\n  no-empty-servers: off\n`,
)
run(bin('redocly'), ['lint', docPath, '--config', path.join(dir, 'redocly.yaml'), '--format', 'stylish'])

const clientTypes = path.join(dir, 'api.d.ts')
run(bin('openapi-typescript'), [docPath, '-o', clientTypes])
fs.writeFileSync(
  path.join(dir, 'use-client.ts'),
  `import type { paths } from './api'
type Login = paths['/api/auth/login']['post']['requestBody']['content']['application/json']
type Saved = paths['/api/attempts/{id}/answers/{questionId}']['put']['responses']['200']['content']['application/json']
type Exams = paths['/api/exams']['get']['responses']['200']['content']['application/json']
export const login: Login = { username: 'zhangsan', password: 'secret' }
export const saved: Saved = { savedAt: new Date().toISOString() }
export const firstTitle = (exams: Exams): string | undefined => exams[0]?.title
`,
)
run(bin('tsc'), [
  '--noEmit',
  '--strict',
  '--skipLibCheck',
  '--moduleResolution',
  'bundler',
  '--module',
  'esnext',
  '--target',
  'es2022',
  path.join(dir, 'use-client.ts'),
])

if (problems.length) {
  console.error(problems.join('\n'))
  process.exit(1)
}
console.log(`OpenAPI: ${Object.keys(doc.paths).length} paths described, redocly lint clean, generated client type-checks (${docPath})`)
