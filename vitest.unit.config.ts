// `npm run test:unit`: the pure tests, with nothing started. No globalSetup (vitest.config.ts brings
// up Kafka and ClickHouse for `npm test`); the tests beside the code, test/unit/ and test/support/'s
// own tests run, the integration tests directly under test/ do not.
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.stack/**', 'dist/**', 'test/*.test.ts'],
    // Pure test files share nothing, so they run side by side on every core (vitest keeps one core
    // for itself by default, which on a 2-core machine means one file at a time).
    maxWorkers: availableParallelism(),
    // A test that reaches for Kafka or ClickHouse fails with a message saying it is in the wrong lane.
    setupFiles: ['test/support/no.stack.ts'],
    // A hang guard, not a timing check: a pure test that waits this long is waiting for something
    // the unit lane does not start (a client retrying a refused connection), and fails instead.
    testTimeout: 30_000,
    // Worker threads start faster than forked processes, and files share a worker's modules instead
    // of loading zod, the config and the schemas again for each of 70 short files: that halves the
    // lane's CPU time. Pure tests keep no global state, and `npm test` runs every file isolated, so
    // a test that leaks state into another still shows. No pure test changes the working directory.
    pool: 'threads',
    isolate: false,
  },
});
