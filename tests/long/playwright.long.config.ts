import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../helpers/chromium.js';

/**
 * Long browser runs (`npm run test:long`, with the vitest `long` project; not part of `npm test`):
 * the 30-minute soak. Only `*.long.spec.ts` files: the vitest long tests (`*.long.test.ts`) live
 * in the same folder. One worker; each spec sets its own timeout from its length.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.long.spec.ts',
  outputDir: '../../test-results/playwright-long',
  workers: 1,
  retries: 0,
  timeout: 60 * 60_000,
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['json', { outputFile: '../../test-results/playwright-long.json' }]],
  use: { screenshot: 'only-on-failure', trace: 'off' },
  projects: [{ name: 'chromium', use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions() } }],
});
