import { defineConfig } from 'vitest/config';

/** One test setup for every package: tests in test/, forked workers (real servers per file). */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
