import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Most files wait on real processes (sentinel periods, failovers) rather than compute, and vitest's
    // default of one worker per core minus one runs them one at a time on a 2-core machine.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/closing-line-reporter.ts'],
  },
})
