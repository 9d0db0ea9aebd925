/**
 * The group call rows of the authorization matrix, on a real SFU. The rules and the relations
 * are described in authorization.test.ts.
 */
import { existsSync } from 'node:fs';
import { workerBin } from 'mediasoup/node/lib/Worker.js';
import { afterAll, beforeAll, describe } from 'vitest';
import { FULL_CALL_ROWS, GROUP_CALL_ROWS } from './authorization/groupCallRows.js';
import { defineMatrix, World } from './authorization/matrix.js';

// The worker binary is built by scripts/setup.sh; without it these cases cannot run at all.
const hasWorker = existsSync(workerBin);
if (!hasWorker) console.warn(`[authorization: group calls] SKIPPED: no mediasoup worker at ${workerBin} (run scripts/setup.sh)`);

describe.skipIf(!hasWorker)('authorization: group calls', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start({ sfu: true, config: { sfuPlainRtp: true } });
  });
  afterAll(() => world.stop());

  defineMatrix(GROUP_CALL_ROWS, () => world);
});

describe.skipIf(!hasWorker)('authorization: group calls on a server with a cap of three and plain RTP off', () => {
  let world: World;
  beforeAll(async () => {
    world = await World.start({ sfu: true, config: { groupCallCap: 3 } });
  });
  afterAll(() => world.stop());

  defineMatrix(FULL_CALL_ROWS, () => world);
});
