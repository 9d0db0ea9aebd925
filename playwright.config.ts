import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './tests/helpers/chromium.js';

/**
 * Browser end-to-end tests against real servers. One worker: the build machines have 2 cores,
 * and each test already runs a server plus one or more browsers.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  // Artifacts (screenshots, attachments) per test; Playwright empties this folder on each run.
  outputDir: 'test-results/playwright',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    screenshot: 'only-on-failure',
    trace: 'off',
  },
  projects: [
    {
      name: 'chromium',
      use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions() },
    },
  ],
});
