import type { TestProject } from 'vitest/node'
import { buildTemplate, dropTemplate } from './template-db.js'

declare module 'vitest' {
  export interface ProvidedContext {
    dbTemplate: string
  }
}

export default async function setup(project: TestProject) {
  const template = await buildTemplate()
  project.provide('dbTemplate', template)
  return async () => {
    await dropTemplate(template)
  }
}
