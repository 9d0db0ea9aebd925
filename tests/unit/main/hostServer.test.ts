import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import type { TLSSocket } from 'node:tls';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_PORT, hostServerConfig, lanAddresses, packagedWorkerBin, startHostServer, type ServerStarter } from '../../../main/hostServer.js';

const certificate = { certFile: '/u/server/tls/cert.pem', keyFile: '/u/server/tls/key.pem', fingerprint: 'AB:CD', validTo: new Date(0) };

const interfaces = {
  lo: [{ family: 'IPv4', address: '127.0.0.1', internal: true }],
  eth0: [
    { family: 'IPv6', address: 'fe80::1', internal: false },
    { family: 'IPv4', address: '192.168.1.20', internal: false },
  ],
};

describe('hostServer', () => {
  it('lists LAN IPv4 addresses only', () => {
    expect(lanAddresses(interfaces)).toEqual(['192.168.1.20']);
    expect(lanAddresses({ lo: interfaces.lo })).toEqual([]);
  });

  it('listens on every interface over TLS, with data under userData and media announced on the LAN address', () => {
    expect(hostServerConfig({ userDataDir: '/u', webRoot: '/w', port: 8443, lanIp: '192.168.1.20', certificate })).toMatchObject({
      host: '0.0.0.0',
      port: 8443,
      dataDir: path.join('/u', 'server'),
      tlsCert: certificate.certFile,
      tlsKey: certificate.keyFile,
      webRoot: '/w',
      sfuListenIp: '0.0.0.0',
      sfuAnnouncedIp: '192.168.1.20',
    });
  });

  it('finds the SFU worker where electron-builder unpacks it (asarUnpack in electron-builder.yml)', () => {
    const appPath = path.join('/opt', 'Earshot', 'resources', 'app.asar');
    const bin = packagedWorkerBin(appPath);
    expect(bin).toBe(path.join('/opt', 'Earshot', 'resources', 'app.asar.unpacked', 'node_modules', 'mediasoup', 'worker', 'out', 'Release', 'mediasoup-worker'));
    // The same place, relative to node_modules, as mediasoup's own default (Worker.js: ../../worker/out/Release
    // from node/lib), and inside what the packaging config unpacks.
    const mediasoupDefault = path.join(path.dirname(createRequire(import.meta.url).resolve('mediasoup/node/lib/Worker.js')), '..', '..', 'worker', 'out', 'Release', 'mediasoup-worker');
    expect(path.relative(path.resolve('node_modules'), mediasoupDefault)).toBe(path.relative(path.join(`${appPath}.unpacked`, 'node_modules'), bin));
    const yaml = readFileSync(path.resolve('electron-builder.yml'), 'utf8');
    expect(yaml).toContain('- node_modules/mediasoup/worker/out/Release/**');
  });

  it('falls back to a free port when the preferred one is taken', async () => {
    const ports: number[] = [];
    const start: ServerStarter = async (config) => {
      ports.push(config.port ?? -1);
      if (config.port === HOST_PORT) throw Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
      return { url: 'https://0.0.0.0:4321', port: 4321, close: async () => undefined };
    };
    const names: unknown[] = [];
    const hosted = await startHostServer({
      userDataDir: '/u',
      webRoot: '/w',
      interfaces: () => interfaces,
      hostName: 'desk',
      start,
      certificate: async (n) => {
        names.push(n);
        return certificate;
      },
    });
    expect(ports).toEqual([HOST_PORT, 0]);
    expect(hosted).toMatchObject({ url: 'https://127.0.0.1:4321', lanUrls: ['https://192.168.1.20:4321'], fingerprint: 'AB:CD' });
    // The certificate is made for the LAN addresses and the computer's names.
    expect(names).toEqual([{ ips: ['192.168.1.20'], dnsNames: ['desk', 'desk.local'] }]);
  });

  describe('with the real server (in-process)', () => {
    const userData = mkdtempSync(path.join(os.tmpdir(), 'earshot-host-'));
    afterAll(() => rmSync(userData, { recursive: true, force: true }));

    it('serves /healthz over TLS with the certificate it names, and keeps its database and certificate under userData', async () => {
      const hosted = await startHostServer({
        userDataDir: userData,
        webRoot: path.join(userData, 'no-web-root'),
        port: 0,
        interfaces: () => ({}),
        start: (config) => import('../../../main/hostServer.js').then((m) => m.startEmbeddedServer({ ...config, sfuWorkers: 0, logLevel: 'silent' })),
      });
      try {
        expect(hosted.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        // Trusting exactly the stored certificate (as a CA) validates the connection, name included.
        const ca = readFileSync(path.join(userData, 'server', 'tls', 'cert.pem'));
        const { status, fingerprint } = await new Promise<{ status: number | undefined; fingerprint: string }>((resolve, reject) => {
          https
            .get(`${hosted.url}/healthz`, { ca }, (res) => {
              res.resume();
              resolve({ status: res.statusCode, fingerprint: (res.socket as TLSSocket).getPeerCertificate().fingerprint256 });
            })
            .on('error', reject);
        });
        expect(status).toBe(200);
        expect(fingerprint).toBe(hosted.fingerprint);
        // Without it, Node (like a browser) refuses the self-signed certificate.
        await expect(fetch(`${hosted.url}/healthz`)).rejects.toThrow();
      } finally {
        await hosted.stop();
      }
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(path.join(userData, 'server')).some((f) => f.endsWith('.db') || f.endsWith('.sqlite'))).toBe(true);
    }, 30_000);
  });
});
