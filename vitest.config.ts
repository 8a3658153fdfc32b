import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Two cores: more workers than that only adds contention.
    maxWorkers: 2,
    testTimeout: 30_000,
    // Hooks start servers and run the real CLI over whole corpora: 10 s is too short on a loaded machine.
    hookTimeout: 120_000,
  },
});
