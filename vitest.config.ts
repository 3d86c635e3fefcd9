import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (beside the code, *.test.ts) and `integration` (tests/, real PostgreSQL, MQTT brokers
 * and Chromium). Both share one global setup that starts a real PostgreSQL server for the run unless
 * DATABASE_URL points at one (e.g. a TimescaleDB), and Debian's Mosquitto.
 */
export default defineConfig({
  test: {
    globalSetup: ['tests/setup/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'ingest/src/**/*.test.ts', 'infra/src/**/*.test.ts', 'dashboards/*/src/**/*.test.ts', 'models/src/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          // Browser and process tests are heavy on a 2-core machine: one file at a time.
          fileParallelism: false,
          testTimeout: 120_000,
        },
      },
    ],
  },
});
