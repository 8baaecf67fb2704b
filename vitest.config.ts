import { defineConfig } from 'vitest/config'

// Three suites: `api` (npm test: server, realtime, formats), `e2e` (real Chromium) and `chaos`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'api',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**', 'tests/chaos/**', 'tests/bench/**'],
          globalSetup: ['tests/helpers/global-setup.ts'],
          pool: 'forks',
          maxWorkers: 2,
          // Files in one worker share the imported modules (the server's import cost ~1.8 s a
          // file otherwise). Safe while the server keeps its state per app (WeakMaps keyed by
          // the instance) and no test file mocks modules, stubs globals or changes process.env.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/helpers/e2e-setup.ts'],
          pool: 'forks',
          maxWorkers: 1,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // A page under a busy 2-core CI box can take seconds to show what a poll waits for; the
          // default second made such waits fail at random. A poll still fails on what never comes.
          expect: { poll: { timeout: 5_000 } },
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['tests/chaos/**/*.test.ts'],
          pool: 'forks',
          maxWorkers: 1,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
})
