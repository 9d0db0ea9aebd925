/**
 * Soak, long form (`npm run test:long`; not part of `npm test`): the mixed load of
 * tests/helpers/soak/soakSpec.ts — chat over 16 ws clients at 8 messages/s, a 1-on-1 call every
 * 45 s between two Chromium pages, a group call of two pages and three plain-RTP bots kept up
 * the whole time, which a sixth participant joins and leaves every 30 s — for SOAK_MINUTES (default 30) minutes. Memory and descriptors are sampled every
 * 10 s; growth is measured after a warm-up of 15 % of the run (at most 3 minutes), so the slope
 * covers the steady state. Figures: test-results/soak-long.json and the printed table.
 *
 *   npm run test:long                       the fuzz and this soak, 30 minutes
 *   SOAK_MINUTES=5 npx playwright test --config tests/long/playwright.long.config.ts
 */
import { soakSpec } from '../helpers/soak/soakSpec.js';

const minutes = Number(process.env.SOAK_MINUTES ?? 30);
if (!(minutes >= 1)) throw new Error(`SOAK_MINUTES must be a number ≥ 1, not ${process.env.SOAK_MINUTES}`);
const durationS = Math.round(minutes * 60);

soakSpec({
  form: 'long',
  durationS,
  warmupS: Math.min(180, Math.round(durationS * 0.15)),
  sampleEveryS: 10,
  continuityEveryS: 15,
  callEveryS: 45,
  churnEveryS: 30,
  reportFile: 'test-results/soak-long.json',
  progressEveryS: 60,
});
