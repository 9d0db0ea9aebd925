import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../signaling-server/config.js';

describe('loadConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-config-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const configFile = (content: string) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, content);
    return file;
  };

  describe('with nothing set', () => {
    it('uses the documented defaults', () => {
      const config = loadConfig({});
      expect(config).toMatchObject({
        host: '127.0.0.1',
        port: 8080,
        registration: 'open',
        sessionTtlSeconds: 12 * 3600,
        logLevel: 'info',
        trustProxy: false,
        serverName: 'Earshot',
        maxPayloadBytes: 64 * 1024,
        heartbeatMs: 30_000,
        rateLimitPerSecond: 30,
        rateLimitBurst: 60,
        authAttemptsPerMinute: 20,
        sendSoftLimitBytes: 256 * 1024,
        sendHardLimitBytes: 4 * 1024 * 1024,
      });
      expect(config.tlsCert).toBeUndefined();
      expect(config.tlsKey).toBeUndefined();
    });

    it('resolves dataDir and webRoot to absolute paths', () => {
      const config = loadConfig({});
      expect(config.dataDir).toBe(path.resolve('data'));
      expect(config.webRoot).toBe(path.resolve('dist/renderer'));
    });
  });

  describe('from EARSHOT_* variables', () => {
    it('parses strings, numbers and booleans', () => {
      const config = loadConfig({
        EARSHOT_HOST: '0.0.0.0',
        EARSHOT_PORT: '9000',
        EARSHOT_REGISTRATION: 'closed',
        EARSHOT_SESSION_TTL_SECONDS: '600',
        EARSHOT_LOG_LEVEL: 'warn',
        EARSHOT_TRUST_PROXY: 'true',
        EARSHOT_SERVER_NAME: 'Team Voice',
        EARSHOT_DATA_DIR: '/var/lib/earshot',
      });
      expect(config).toMatchObject({
        host: '0.0.0.0',
        port: 9000,
        registration: 'closed',
        sessionTtlSeconds: 600,
        logLevel: 'warn',
        trustProxy: true,
        serverName: 'Team Voice',
        dataDir: '/var/lib/earshot',
      });
    });

    it.each([
      ['1', true],
      ['TRUE', true],
      ['0', false],
      ['false', false],
      ['yes', false],
    ])('reads EARSHOT_TRUST_PROXY=%j as %j', (raw, expected) => {
      expect(loadConfig({ EARSHOT_TRUST_PROXY: raw }).trustProxy).toBe(expected);
    });

    it('ignores empty variables', () => {
      expect(loadConfig({ EARSHOT_PORT: '', EARSHOT_HOST: '' })).toMatchObject({ port: 8080, host: '127.0.0.1' });
    });

    it.each(['eighty', '80abc', 'NaN', 'Infinity', '   '])('throws ConfigError for EARSHOT_PORT=%j', (raw) => {
      expect(() => loadConfig({ EARSHOT_PORT: raw })).toThrow(ConfigError);
    });

    it('names the variable in the error', () => {
      expect(() => loadConfig({ EARSHOT_PORT: 'eighty' })).toThrow(/EARSHOT_PORT/);
    });

    it('throws ConfigError for a number out of range', () => {
      expect(() => loadConfig({ EARSHOT_PORT: '70000' })).toThrow(ConfigError);
      expect(() => loadConfig({ EARSHOT_SESSION_TTL_SECONDS: '5' })).toThrow(ConfigError);
    });

    it('throws ConfigError for a value outside an enum', () => {
      expect(() => loadConfig({ EARSHOT_REGISTRATION: 'maybe' })).toThrow(ConfigError);
      expect(() => loadConfig({ EARSHOT_LOG_LEVEL: 'loud' })).toThrow(/logLevel/);
    });
  });

  describe('from the EARSHOT_CONFIG file', () => {
    it('reads settings from the JSON file', () => {
      const file = configFile(JSON.stringify({ port: 7000, serverName: 'From file', maxPayloadBytes: 2048 }));
      expect(loadConfig({ EARSHOT_CONFIG: file })).toMatchObject({ port: 7000, serverName: 'From file', maxPayloadBytes: 2048 });
    });

    it('lets environment variables win over the file', () => {
      const file = configFile(JSON.stringify({ port: 7000, serverName: 'From file' }));
      expect(loadConfig({ EARSHOT_CONFIG: file, EARSHOT_PORT: '7001' })).toMatchObject({ port: 7001, serverName: 'From file' });
    });

    it('throws ConfigError for a missing file', () => {
      expect(() => loadConfig({ EARSHOT_CONFIG: path.join(dir, 'missing.json') })).toThrow(ConfigError);
    });

    it('throws ConfigError for a file that is not JSON', () => {
      expect(() => loadConfig({ EARSHOT_CONFIG: configFile('port = 7000') })).toThrow(/cannot read EARSHOT_CONFIG/);
    });

    it('throws ConfigError for unknown keys (strict)', () => {
      expect(() => loadConfig({ EARSHOT_CONFIG: configFile(JSON.stringify({ prot: 7000 })) })).toThrow(ConfigError);
    });

    it('throws ConfigError for a wrongly typed value', () => {
      expect(() => loadConfig({ EARSHOT_CONFIG: configFile(JSON.stringify({ port: '7000' })) })).toThrow(ConfigError);
    });
  });

  describe('TLS', () => {
    it('accepts a certificate and key together', () => {
      expect(loadConfig({ EARSHOT_TLS_CERT: '/c.pem', EARSHOT_TLS_KEY: '/k.pem' })).toMatchObject({ tlsCert: '/c.pem', tlsKey: '/k.pem' });
    });

    it('throws ConfigError for tlsCert without tlsKey', () => {
      expect(() => loadConfig({ EARSHOT_TLS_CERT: '/c.pem' })).toThrow(ConfigError);
    });

    it('throws ConfigError for tlsKey without tlsCert', () => {
      expect(() => loadConfig({}, { tlsKey: '/k.pem' })).toThrow(/set together/);
    });
  });

  describe('with overrides', () => {
    it('lets overrides win over the file and the environment', () => {
      const file = configFile(JSON.stringify({ port: 7000, host: '10.0.0.1' }));
      expect(loadConfig({ EARSHOT_CONFIG: file, EARSHOT_PORT: '7001' }, { port: 0 })).toMatchObject({ port: 0, host: '10.0.0.1' });
    });

    it('validates overrides too', () => {
      expect(() => loadConfig({}, { port: -1 })).toThrow(ConfigError);
    });
  });

  it('does not read process.env when given an env object', () => {
    const saved = process.env.EARSHOT_PORT;
    process.env.EARSHOT_PORT = 'not-a-number';
    try {
      expect(loadConfig({}).port).toBe(8080);
    } finally {
      if (saved === undefined) delete process.env.EARSHOT_PORT;
      else process.env.EARSHOT_PORT = saved;
    }
  });
});

describe('loadConfig call settings', () => {
  it('splits comma-separated URL lists and drops blanks', () => {
    const config = loadConfig({ EARSHOT_TURN_URLS: 'turn:a:3478?transport=udp, turns:a:443 ,,', EARSHOT_STUN_URLS: 'stun:a:3478' });
    expect(config.turnUrls).toStrictEqual(['turn:a:3478?transport=udp', 'turns:a:443']);
    expect(config.stunUrls).toStrictEqual(['stun:a:3478']);
  });

  it('takes TURN over UDP, TCP and TLS side by side', () => {
    const urls = ['turn:turn.example.com:3478?transport=udp', 'turn:turn.example.com:3478?transport=tcp', 'turns:turn.example.com:443?transport=tcp', 'turn:[2001:db8::1]:3478'];
    expect(loadConfig({ EARSHOT_TURN_URLS: urls.join(',') }).turnUrls).toStrictEqual(urls);
  });

  it.each(['stun:a:3478', 'https://a', 'turn:a:3478?transport=tls', 'turns:a:443?transport=udp', 'turn:'])('throws ConfigError for the TURN URL %j', (url) => {
    expect(() => loadConfig({ EARSHOT_TURN_URLS: url })).toThrow(ConfigError);
    expect(() => loadConfig({}, { turnUrls: [url] })).toThrow(/turnUrls\.0/);
  });
});
