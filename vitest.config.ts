import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests talk to real PostgreSQL and Redis and spawn processes: allow for a loaded CI machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: more workers than that only adds contention to the timing-free tests.
    maxWorkers: 2,
  },
});
