// Where the repository is, whether the server runs from its sources (tsx) or from the build in dist/.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir)
    if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url))
    dir = up
  }
  return dir
}

/** The repository root (the folder with package.json): web/dist, question-bank/ and data/ hang off it. */
export const PROJECT_ROOT = findRoot()
