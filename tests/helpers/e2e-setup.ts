// Browser tests need the built web app and the same database template as the API tests.
import type { TestProject } from 'vitest/node'
import { ensureWebBuilt } from '../../server/web-build.js'
import { DEFAULT_WEB_DIST } from '../../server/app.js'
import setupTemplate from './global-setup.js'

export default async function setup(project: TestProject) {
  await ensureWebBuilt(DEFAULT_WEB_DIST, (m) => console.log(m))
  return setupTemplate(project)
}
