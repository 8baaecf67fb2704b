// Builds the server once into dist/ (npm run build; npm start on a fresh clone): every TypeScript file
// of server/ and migrations/ transpiled by esbuild to ESM JavaScript, in the same tree
// (dist/server/…, dist/migrations/…), with the plain files they read beside them (worker entry,
// seed YAML). Not bundled: dependencies stay in node_modules. Type checking is `npm run typecheck`.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const DIST = path.join(ROOT, 'dist')
export const SOURCE_DIRS = ['server', 'migrations']
export const STAMP = path.join(DIST, '.build-stamp')

function walk(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

export function sourceFiles() {
  return SOURCE_DIRS.flatMap((d) => walk(path.join(ROOT, d)))
}

/** The newest modification time among the sources: the build records it, start compares it. */
export function sourcesStamp() {
  return String(Math.max(...sourceFiles().map((f) => fs.statSync(f).mtimeMs)))
}

export function serverBuildIsCurrent() {
  return fs.existsSync(path.join(DIST, 'server/main.js')) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === sourcesStamp()
}

export async function buildServer() {
  const { build } = await import('esbuild')
  const files = sourceFiles()
  const ts = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  fs.rmSync(path.join(DIST, 'server'), { recursive: true, force: true })
  fs.rmSync(path.join(DIST, 'migrations'), { recursive: true, force: true })
  await build({
    entryPoints: ts,
    outdir: DIST,
    outbase: ROOT,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    bundle: false,
    sourcemap: 'linked',
    logLevel: 'warning',
  })
  for (const f of files.filter((f) => !f.endsWith('.ts'))) {
    const to = path.join(DIST, path.relative(ROOT, f))
    fs.mkdirSync(path.dirname(to), { recursive: true })
    fs.copyFileSync(f, to)
  }
  fs.writeFileSync(STAMP, sourcesStamp())
  return ts.length
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now()
  const n = await buildServer()
  console.log(`server: ${n} files → dist/ in ${Date.now() - started} ms`)
}
