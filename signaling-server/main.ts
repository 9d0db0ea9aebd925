import { EarshotError } from '../common/errors.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { SignalingServer } from './SignalingServer.js';
import { startSfu } from './startSfu.js';

/** Entry point: `npm run server` (and `npm start`). Configuration from EARSHOT_* / EARSHOT_CONFIG. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`earshot: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const sfu = await startSfu(config, logger);
  const server = await SignalingServer.create({ config, logger, sfu });
  console.log(`Earshot server ready: ${server.url}/  (data: ${config.dataDir})`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    Promise.all([server.close(), sfu?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A typed error (e.g. a read-only data folder) says all there is to say; anything else is a bug: show the stack.
  console.error('earshot: failed to start:', error instanceof EarshotError ? error.message : error);
  process.exit(1);
});
