import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostServerConfig, lanAddresses, startHostServer, type ServerStarter } from '../../../main/hostServer.js';

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

  it('listens on every interface with data under userData and media announced on the LAN address', () => {
    expect(hostServerConfig({ userDataDir: '/u', webRoot: '/w', port: 8080, lanIp: '192.168.1.20' })).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      dataDir: path.join('/u', 'server'),
      webRoot: '/w',
      sfuListenIp: '0.0.0.0',
      sfuAnnouncedIp: '192.168.1.20',
    });
  });

  it('falls back to a free port when the preferred one is taken', async () => {
    const ports: number[] = [];
    const start: ServerStarter = async (config) => {
      ports.push(config.port ?? -1);
      if (config.port === 8080) throw Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
      return { url: 'http://0.0.0.0:4321', port: 4321, close: async () => undefined };
    };
    const hosted = await startHostServer({ userDataDir: '/u', webRoot: '/w', interfaces: () => interfaces, start });
    expect(ports).toEqual([8080, 0]);
    expect(hosted.url).toBe('http://127.0.0.1:4321');
    expect(hosted.lanUrls).toEqual(['http://192.168.1.20:4321']);
  });

  describe('with the real server (in-process)', () => {
    const userData = mkdtempSync(path.join(os.tmpdir(), 'earshot-host-'));
    afterAll(() => rmSync(userData, { recursive: true, force: true }));

    it('serves /healthz on 0.0.0.0 and keeps its database under userData', async () => {
      const hosted = await startHostServer({
        userDataDir: userData,
        webRoot: path.join(userData, 'no-web-root'),
        port: 0,
        interfaces: () => ({}),
        start: (config) => import('../../../main/hostServer.js').then((m) => m.startEmbeddedServer({ ...config, sfuWorkers: 0, logLevel: 'silent' })),
      });
      try {
        expect(hosted.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const res = await fetch(`${hosted.url}/healthz`);
        expect(res.status).toBe(200);
      } finally {
        await hosted.stop();
      }
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(path.join(userData, 'server')).some((f) => f.endsWith('.db') || f.endsWith('.sqlite'))).toBe(true);
    }, 30_000);
  });
});
