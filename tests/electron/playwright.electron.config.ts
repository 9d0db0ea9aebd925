import { defineConfig } from '@playwright/test';

/**
 * The desktop app end to end: the real Electron binary running dist/main, driven through
 * Playwright's `_electron`. Runs wherever the Electron binary is installed; elsewhere every test
 * reports itself skipped with the reason (see desktop.spec.ts). One worker: each test runs a
 * server and an Electron app on a 2-core machine.
 */
export default defineConfig({
  testDir: '.',
  outputDir: '../../test-results/playwright-electron',
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['json', { outputFile: '../../test-results/playwright-electron.json' }]],
  use: { screenshot: 'only-on-failure', trace: 'off' },
});
