import { defineConfig } from 'vitest/config';

// `npm run test:scale`: the scale-out run (test/scale/), kept out of `npm test` because it starts a
// 3-broker Kafka cluster and five services and runs for several minutes.
export default defineConfig({
  test: {
    include: ['test/scale/**/*.scale.ts'],
    // Each file starts its own 3-broker cluster; two at once would not fit on the machine.
    fileParallelism: false,
    // Brings the shared ClickHouse up (the run uses its own database there) and installs Kafka's jars on first use.
    globalSetup: ['test/global.setup.ts'],
    testTimeout: 3_600_000,
    hookTimeout: 900_000,
  },
});
