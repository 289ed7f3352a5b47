import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.stack/**'],
    // Integration tests share one real Kafka broker and one ClickHouse server on a 2-core machine;
    // running test files one at a time keeps fault-injection tests from disturbing each other.
    fileParallelism: false,
    // Starts (and on first use installs) the real Kafka and ClickHouse once for the whole run.
    globalSetup: ['test/global.setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
