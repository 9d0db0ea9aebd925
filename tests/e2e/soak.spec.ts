/**
 * Soak, short form (in `npm test`): the mixed load of tests/helpers/soak/soakSpec.ts — chat over
 * 16 ws clients, a 1-on-1 call every 20 s between two Chromium pages, a group call of two pages
 * and three plain-RTP bots kept up throughout, which a sixth participant joins and leaves every
 * 15 s — for 45 s, sampled every 5 s. Long enough to
 * catch errors, lost messages, broken calls and gross leaks; the 30-minute form
 * (tests/long/soak.long.spec.ts, `npm run test:long`) is what shows slow growth.
 * Figures: test-results/soak.json.
 */
import { soakSpec } from '../helpers/soak/soakSpec.js';

soakSpec({
  form: 'short',
  durationS: 45,
  warmupS: 15,
  sampleEveryS: 5,
  continuityEveryS: 5,
  callEveryS: 20,
  churnEveryS: 15,
  reportFile: 'test-results/soak.json',
  progressEveryS: 0,
});
