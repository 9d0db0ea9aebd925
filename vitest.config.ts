import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Real servers and databases: keep files apart to avoid fighting for the 2 cores.
          fileParallelism: false,
        },
      },
      {
        // Long runs (`npm run test:long`), kept out of `npm test`: the long protocol fuzz.
        test: {
          name: 'long',
          include: ['tests/long/**/*.test.ts'],
          environment: 'node',
          testTimeout: 10 * 60_000,
          hookTimeout: 2 * 60 * 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
