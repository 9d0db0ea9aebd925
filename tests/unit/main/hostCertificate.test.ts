import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CERTIFICATE_DAYS, ensureHostCertificate, RENEW_BEFORE_MS } from '../../../main/hostCertificate.js';

const DAY = 24 * 3600 * 1000;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-cert-'));
  dirs.push(dir);
  return path.join(dir, 'tls');
}

describe('ensureHostCertificate', () => {
  it('makes a P-256 server certificate for the given names, with its key readable by the owner only', async () => {
    const dir = tempDir();
    const now = new Date('2026-11-22T10:00:00Z');
    const made = await ensureHostCertificate({ dir, ips: ['192.168.1.20'], dnsNames: ['desk', 'desk.local'], now: () => now });
    const cert = new X509Certificate(readFileSync(made.certFile));
    expect(made.fingerprint).toBe(cert.fingerprint256);
    expect(made.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'prime256v1' });
    expect(cert.checkIP('192.168.1.20')).toBe('192.168.1.20');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('desk.local')).toBe('desk.local');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.ca).toBe(false);
    expect(Math.round((new Date(cert.validTo).getTime() - now.getTime()) / DAY)).toBe(CERTIFICATE_DAYS);
    if (process.platform !== 'win32') {
      expect(statSync(made.keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o077).toBe(0);
    }
  });

  it('keeps the certificate across restarts and address changes, so a trusted fingerprint stays valid', async () => {
    const dir = tempDir();
    const first = await ensureHostCertificate({ dir, ips: ['192.168.1.20'], dnsNames: ['desk'] });
    const again = await ensureHostCertificate({ dir, ips: ['10.0.0.7'], dnsNames: ['desk'], now: () => new Date(Date.now() + 300 * DAY) });
    expect(again.fingerprint).toBe(first.fingerprint);
  });

  it('replaces a certificate about to expire', async () => {
    const dir = tempDir();
    const first = await ensureHostCertificate({ dir, ips: [], dnsNames: [] });
    const nearEnd = new Date(first.validTo.getTime() - RENEW_BEFORE_MS + DAY);
    const renewed = await ensureHostCertificate({ dir, ips: [], dnsNames: [], now: () => nearEnd });
    expect(renewed.fingerprint).not.toBe(first.fingerprint);
    expect(renewed.validTo.getTime()).toBeGreaterThan(first.validTo.getTime());
  });

  it('replaces a pair whose key does not match, or whose files are unreadable', async () => {
    const dir = tempDir();
    const first = await ensureHostCertificate({ dir, ips: [], dnsNames: [] });
    const other = await ensureHostCertificate({ dir: tempDir(), ips: [], dnsNames: [] });
    writeFileSync(first.keyFile, readFileSync(other.keyFile));
    const second = await ensureHostCertificate({ dir, ips: [], dnsNames: [] });
    expect(second.fingerprint).not.toBe(first.fingerprint);
    expect(new X509Certificate(readFileSync(second.certFile)).fingerprint256).toBe(second.fingerprint);

    writeFileSync(second.certFile, 'not a certificate');
    const third = await ensureHostCertificate({ dir, ips: [], dnsNames: [] });
    expect(third.fingerprint).not.toBe(second.fingerprint);
    expect(new X509Certificate(readFileSync(third.certFile)).fingerprint256).toBe(third.fingerprint);
  });
});
