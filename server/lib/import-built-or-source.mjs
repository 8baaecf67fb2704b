// How the plain-JavaScript entries (the sheet-reading worker thread, the listener-copy helper) load
// a server module. They are plain JavaScript because neither a worker thread nor a forked process
// inherits the tsx loader the server runs under (nor vitest's): in the build (dist/) the compiled
// `<name>.js` sits beside the entry and is loaded directly; from the sources tsx is registered first
// and `<name>.ts` loaded.
import { existsSync } from 'node:fs'

/** The module `<name>` beside the entry whose `import.meta.url` is `base`. */
export async function importBuiltOrSource(base, name) {
  const compiled = new URL(`./${name}.js`, base)
  if (existsSync(compiled)) return import(compiled.href)
  const { register } = await import('tsx/esm/api')
  register()
  return import(new URL(`./${name}.ts`, base).href)
}
