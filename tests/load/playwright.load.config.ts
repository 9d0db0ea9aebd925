import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../helpers/chromium.js';

/**
 * Load tests (`npm run test:load`, not part of `npm test`): a full group call of two Chromium
 * participants and plain-RTP bots (bench/lib/PlainRtpBot.ts) on one 2-core machine. One worker.
 */
export default defineConfig({
  testDir: '.',
  outputDir: '../../test-results/playwright-load',
  workers: 1,
  retries: 0,
  timeout: 300_000,
  expect: { timeout: 15_000 },
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list']],
  use: { screenshot: 'only-on-failure', trace: 'off' },
  projects: [{ name: 'chromium', use: { browserName: 'chromium', launchOptions: chromiumLaunchOptions() } }],
});
