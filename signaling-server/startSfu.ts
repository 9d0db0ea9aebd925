import { existsSync } from 'node:fs';
import { workerBin } from 'mediasoup/node/lib/Worker.js';
import { Sfu } from '../sfu/Sfu.js';
import { DEFAULT_SFU_OPTIONS } from '../sfu/SfuTypes.js';
import type { ServerConfig } from './config.js';
import type { Logger } from './logger.js';

/**
 * The SFU this server uses for group calls, or null (with a clear log line) when group calls
 * are switched off (`sfuWorkers: 0`) or the mediasoup worker binary is missing.
 */
export async function startSfu(config: ServerConfig, logger: Logger): Promise<Sfu | null> {
  if (config.sfuWorkers === 0) return null;
  if (!existsSync(workerBin)) {
    logger.warn({ workerBin }, 'mediasoup worker binary missing (run scripts/setup.sh): group calls are unavailable');
    return null;
  }
  const sfu = await Sfu.create({
    ...DEFAULT_SFU_OPTIONS,
    numWorkers: config.sfuWorkers,
    listenIp: config.sfuListenIp,
    ...(config.sfuAnnouncedIp ? { announcedIp: config.sfuAnnouncedIp } : {}),
    rtcMinPort: config.sfuMinPort,
    rtcMaxPort: config.sfuMaxPort,
  });
  logger.info({ workers: sfu.workerPids }, 'SFU ready');
  return sfu;
}
