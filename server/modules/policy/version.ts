import fs from 'node:fs'
import path from 'node:path'
import { PROJECT_ROOT } from '../../lib/paths.js'

/** The release shown on the about page: package.json's version. */
export const APP_VERSION: string = (() => {
  try {
    return String(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version ?? '')
  } catch {
    return ''
  }
})()
