import os from 'node:os';
import path from 'node:path';
import type { ServerConfigInput } from '../signaling-server/config.js';
import type { HostCertificate } from './hostCertificate.js';

/**
 * "Host on this computer": the Earshot server runs inside the app, listening on every interface
 * so people on the same network can join, with its database under the app's userData folder.
 * It speaks https with the app's self-signed certificate (hostCertificate.ts): browsers give
 * the microphone only to secure contexts, and `http://<LAN address>` is not one. The desktop
 * app itself talks to it on 127.0.0.1, trusting that certificate by its fingerprint.
 */

export interface HostedServer {
  /** What this app connects to, e.g. https://127.0.0.1:8443. */
  url: string;
  /** What others on the network open, e.g. https://192.168.1.20:8443. */
  lanUrls: string[];
  /** The certificate's SHA-256 fingerprint (`AB:CD:…`), for others to check. */
  fingerprint: string;
  stop(): Promise<void>;
}

/** The port tried first; when taken, any free port is used. */
export const HOST_PORT = 8443;

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

/** Where the in-app server keeps its database, and its certificate under `tls/`. */
export function hostDataDir(userDataDir: string): string {
  return path.join(userDataDir, 'server');
}

export function hostServerConfig(options: {
  userDataDir: string;
  webRoot: string;
  port: number;
  lanIp: string | null;
  certificate: Pick<HostCertificate, 'certFile' | 'keyFile'>;
}): ServerConfigInput {
  return {
    host: '0.0.0.0',
    port: options.port,
    dataDir: hostDataDir(options.userDataDir),
    tlsCert: options.certificate.certFile,
    tlsKey: options.certificate.keyFile,
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
  /** Preferred port (default HOST_PORT); when taken, any free port is used. */
  port?: number;
  interfaces: () => Interfaces;
  /** This computer's name (default os.hostname()), also put in a new certificate. */
  hostName?: string;
  start?: ServerStarter;
  /** The certificate (default: ensureHostCertificate in the server's data folder). */
  certificate?: (names: { ips: string[]; dnsNames: string[] }) => Promise<HostCertificate>;
}

export async function startHostServer(options: HostServerOptions): Promise<HostedServer> {
  const start = options.start ?? startEmbeddedServer;
  const lan = lanAddresses(options.interfaces());
  const hostName = options.hostName ?? os.hostname();
  const names = { ips: lan, dnsNames: hostName ? [hostName, `${hostName}.local`] : [] };
  const certificate = await (options.certificate ?? defaultCertificate(options.userDataDir))(names);
  const config = (port: number) => hostServerConfig({ userDataDir: options.userDataDir, webRoot: options.webRoot, port, lanIp: lan[0] ?? null, certificate });
  let server: RunningServer;
  try {
    server = await start(config(options.port ?? HOST_PORT));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    server = await start(config(0));
  }
  return {
    url: `https://127.0.0.1:${server.port}`,
    lanUrls: lan.map((ip) => `https://${ip}:${server.port}`),
    fingerprint: certificate.fingerprint,
    stop: () => server.close(),
  };
}

/**
 * Where mediasoup's worker binary is in a packaged app: electron-builder unpacks it next to
 * app.asar (`asarUnpack`), because a program inside the archive cannot be executed, but
 * mediasoup computes its path from its own folder inside the archive. Set as
 * MEDIASOUP_WORKER_BIN before the server (and mediasoup) loads. `appPath` is app.getAppPath().
 */
export function packagedWorkerBin(appPath: string): string {
  return path.join(`${appPath}.unpacked`, 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker');
}

/** The certificate in the server's data folder; its module (and selfsigned's) loads only when hosting starts. */
function defaultCertificate(userDataDir: string): NonNullable<HostServerOptions['certificate']> {
  return async (names) => {
    const { ensureHostCertificate } = await import('./hostCertificate.js');
    return ensureHostCertificate({ dir: path.join(hostDataDir(userDataDir), 'tls'), ...names });
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
