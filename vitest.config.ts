import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

/**
 * Tests that load the machine (bursts, timing-bounded probes of the real dev
 * server, `npm start` with its own DynamoDB Local) are `*.serial.test.ts`:
 * their own project, one file at a time, in a group of their own, so they
 * never share the cores with the rest of the suite.
 */
const SERIAL = 'test/**/*.serial.test.ts'

/**
 * Fault and load suites whose length is set by the product's own timeouts
 * (DynamoDB killed and hung, KMS and Secrets Manager failing, a load run):
 * `npm run resilience`, one file at a time, not part of `npm test`.
 */
const RESILIENCE = 'test/**/*.resilience.test.ts'

/** The console in a real browser: `npm run test:browser`, not part of `npm test`. */
const BROWSER = 'test/**/*.browser.test.ts'

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Three files at once even on two cores (vitest's default would be one): the suite waits on
    // DynamoDB Local, dev servers, npm and esbuild as much as it computes. On a fresh clone of
    // the 2-core machine: 314 s with two, 265 s with three.
    maxWorkers: Math.max(3, availableParallelism()),
    testTimeout: 20_000,
    hookTimeout: 60_000,
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: [SERIAL, RESILIENCE, BROWSER],
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: [SERIAL],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'resilience',
          include: [RESILIENCE],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: [BROWSER],
          fileParallelism: false,
          sequence: { groupOrder: 3 },
          testTimeout: 60_000,
        },
      },
    ],
  },
})
