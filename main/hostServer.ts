import path from 'node:path';
import type { ServerConfigInput } from '../signaling-server/config.js';

/**
 * "Host on this computer": the Earshot server runs inside the app, listening on every interface
 * so people on the same network can join, with its database under the app's userData folder.
 * The desktop app itself then talks to it on 127.0.0.1.
 */

export interface HostedServer {
  /** What this app connects to, e.g. http://127.0.0.1:8080. */
  url: string;
  /** What others on the network open, e.g. http://192.168.1.20:8080. */
  lanUrls: string[];
  stop(): Promise<void>;
}

/** A running server as the host sees it (SignalingServer + SFU). */
export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export type ServerStarter = (config: ServerConfigInput) => Promise<RunningServer>;

type Interfaces = Record<string, Array<{ family: string | number; address: string; internal: boolean }> | undefined>;

/** Non-internal IPv4 addresses, the ones a LAN peer can reach. */
export function lanAddresses(interfaces: Interfaces): string[] {
  return Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((a) => (a.family === 'IPv4' || a.family === 4) && !a.internal)
    .map((a) => a.address);
}

export function hostServerConfig(options: { userDataDir: string; webRoot: string; port: number; lanIp: string | null }): ServerConfigInput {
  return {
    host: '0.0.0.0',
    port: options.port,
    dataDir: path.join(options.userDataDir, 'server'),
    webRoot: options.webRoot,
    registration: 'open',
    logLevel: 'warn',
    // Group calls for a small LAN: one worker, media on every interface, announced on the LAN address.
    sfuWorkers: 1,
    sfuListenIp: '0.0.0.0',
    sfuAnnouncedIp: options.lanIp ?? '127.0.0.1',
  };
}

export interface HostServerOptions {
  userDataDir: string;
  webRoot: string;
  /** Preferred port (default 8080); when taken, any free port is used. */
  port?: number;
  interfaces: () => Interfaces;
  start?: ServerStarter;
}

export async function startHostServer(options: HostServerOptions): Promise<HostedServer> {
  const start = options.start ?? startEmbeddedServer;
  const lan = lanAddresses(options.interfaces());
  const config = (port: number) => hostServerConfig({ userDataDir: options.userDataDir, webRoot: options.webRoot, port, lanIp: lan[0] ?? null });
  let server: RunningServer;
  try {
    server = await start(config(options.port ?? 8080));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    server = await start(config(0));
  }
  return {
    url: `http://127.0.0.1:${server.port}`,
    lanUrls: lan.map((ip) => `http://${ip}:${server.port}`),
    stop: () => server.close(),
  };
}

/**
 * The real server, loaded only when hosting is switched on (it brings SQLite and mediasoup).
 * Environment variables are not read: the app's settings decide.
 */
export const startEmbeddedServer: ServerStarter = async (overrides) => {
  const [{ loadConfig }, { createLogger }, { SignalingServer }, { startSfu }] = await Promise.all([
    import('../signaling-server/config.js'),
    import('../signaling-server/logger.js'),
    import('../signaling-server/SignalingServer.js'),
    import('../signaling-server/startSfu.js'),
  ]);
  const config = loadConfig({}, overrides);
  const logger = createLogger(config.logLevel);
  const sfu = await startSfu(config, logger).catch((error: unknown) => {
    logger.warn({ err: error }, 'SFU did not start: group calls are unavailable');
    return null;
  });
  let server;
  try {
    server = await SignalingServer.create({ config, logger, sfu });
  } catch (error) {
    await sfu?.close();
    throw error;
  }
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      await server.close();
      await sfu?.close();
    },
  };
};
