import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Clock } from '../../signaling-server/Clock.js';
import { loadConfig, type ServerConfigInput } from '../../signaling-server/config.js';
import { SignalingServer } from '../../signaling-server/SignalingServer.js';
import { Sfu } from '../../sfu/Sfu.js';
import { DEFAULT_SFU_OPTIONS, type SfuOptions } from '../../sfu/SfuTypes.js';

/** Cheap scrypt for tests (the product default costs ~100 ms and 128 MiB per hash). */
export const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

/**
 * The mediasoup worker's RTC (UDP/TCP) ports in a test server with `sfu: true`. Kept below
 * Linux's ephemeral range (32768–60999 by default) so no port the OS hands out for `listen(0)`
 * or an outgoing connection (the test server's own HTTP port, coturn's, a proxy's) can land in
 * it: the tests that tell SFU traffic from other traffic by port rely on that.
 */
export const TEST_RTC_PORTS = { min: 21000, max: 21999 } as const;

export interface TestServer {
  server: SignalingServer;
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  /** pino JSON log of this server: `<dataDir>/server.log` unless told otherwise. */
  logFile: string;
  /** The SFU when started with `sfu: true`. */
  sfu: Sfu | null;
  stop(): Promise<void>;
}

/**
 * A real signaling server on 127.0.0.1 (port 0 unless given) with a real SQLite database in a
 * temporary folder (or `dataDir`, to restart on the same data). Serves dist/renderer if built.
 */
export async function startTestServer(
  opts: {
    dataDir?: string;
    port?: number;
    config?: ServerConfigInput;
    clock?: Clock;
    sfu?: boolean;
    /** With `sfu: true`: where its transports listen (default 127.0.0.1) and whether they offer ICE over TCP (default true). */
    sfuOptions?: Partial<Pick<SfuOptions, 'listenIp' | 'announcedIp' | 'enableTcp'>>;
    /** Where the pino log goes. Default `<dataDir>/server.log` (elsewhere when the data folder is made to fail). */
    logFile?: string;
  } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'earshot-test-'));
  const config = loadConfig(
    {},
    { host: '127.0.0.1', port: opts.port ?? 0, dataDir, logLevel: 'debug', rateLimitPerSecond: 1000, rateLimitBurst: 2000, authAttemptsPerMinute: 1000, loginAttemptsPerAccount: 1000, ...opts.config },
  );
  const logFile = opts.logFile ?? path.join(dataDir, 'server.log');
  const logger = pino({ level: config.logLevel }, pino.destination({ dest: logFile, sync: true, append: true }));
  // One mediasoup worker on loopback: tests that kill it find it through server.groups / sfu.workerPids.
  const sfu = opts.sfu
    ? await Sfu.create({ ...DEFAULT_SFU_OPTIONS, numWorkers: 1, rtcMinPort: TEST_RTC_PORTS.min, rtcMaxPort: TEST_RTC_PORTS.max, ...opts.sfuOptions })
    : null;
  const server = await SignalingServer.create({ config, logger, scrypt: TEST_SCRYPT, sfu, ...(opts.clock ? { clock: opts.clock } : {}) });
  const url = server.url;
  return {
    server,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    port: server.port,
    dataDir,
    logFile,
    sfu,
    stop: async () => {
      await server.close();
      await sfu?.close();
    },
  };
}
