import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generate } from 'selfsigned';
import type { Logger } from './log.js';
import { silentLogger } from './log.js';

/**
 * The TLS certificate of the in-app server ("host on this computer"). Browsers give the
 * microphone only to secure contexts, and a page from `http://192.168.1.20` is not one, so the
 * in-app server speaks https with a self-signed certificate made on first use and kept in the
 * app's data folder. Others check its SHA-256 fingerprint (shown in the host's settings) when
 * their browser warns about it, and an Earshot desktop app pins it (certificateTrust.ts).
 *
 * It is kept across restarts and address changes, so a fingerprint people trusted stays
 * valid; only an expiring, unreadable or mismatched one is replaced. (Whether the address in
 * the URL is among its names does not matter: nobody's browser vouches for it, people do.)
 */

export interface HostCertificate {
  certFile: string;
  keyFile: string;
  /** SHA-256 of the certificate, `AB:CD:…`, the form browsers show in their certificate viewer. */
  fingerprint: string;
  validTo: Date;
}

/** 397 days: what browsers accept from any certificate. */
export const CERTIFICATE_DAYS = 397;
/** Replace the certificate when less than this is left of it. */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

export interface HostCertificateOptions {
  /** Folder of `cert.pem` and `key.pem` (created, 0700). */
  dir: string;
  /** Names the certificate is issued for when made: LAN addresses, host names. */
  ips: string[];
  dnsNames: string[];
  now?: () => Date;
  logger?: Logger;
}

/** The certificate in `dir` if it can be kept (see above), else a new one written there. */
export async function ensureHostCertificate(options: HostCertificateOptions): Promise<HostCertificate> {
  const now = (options.now ?? (() => new Date()))();
  const logger = options.logger ?? silentLogger;
  const certFile = path.join(options.dir, 'cert.pem');
  const keyFile = path.join(options.dir, 'key.pem');

  const existing = await readKept(certFile, keyFile, now).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn('host certificate unusable; making a new one', { error: String(error) });
    return null;
  });
  if (existing) return { certFile, keyFile, fingerprint: existing.fingerprint256, validTo: new Date(existing.validTo) };

  const notAfter = new Date(now.getTime() + CERTIFICATE_DAYS * 24 * 3600 * 1000);
  const names = ['localhost', ...options.dnsNames];
  const ips = ['127.0.0.1', ...options.ips];
  const pems = await generate([{ name: 'commonName', value: `Earshot on ${options.dnsNames[0] ?? 'this computer'}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...[...new Set(names)].map((value) => ({ type: 2 as const, value })), ...[...new Set(ips)].map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  // Key first, then the certificate, each through a rename: a crash leaves the old pair or a
  // pair that fails the key check on the next start (and is replaced), never a torn file.
  await writeAtomically(keyFile, pems.private, 0o600);
  await writeAtomically(certFile, pems.cert, 0o644);
  const made = new X509Certificate(pems.cert);
  logger.info('made a host certificate', { fingerprint: made.fingerprint256, validTo: made.validTo });
  return { certFile, keyFile, fingerprint: made.fingerprint256, validTo: new Date(made.validTo) };
}

/** The stored certificate when its key matches, it is valid now and not about to expire; else null. */
async function readKept(certFile: string, keyFile: string, now: Date): Promise<X509Certificate | null> {
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  const cert = new X509Certificate(certPem);
  if (!cert.checkPrivateKey(createPrivateKey(keyPem))) throw new Error('the key does not match the certificate');
  if (new Date(cert.validFrom).getTime() > now.getTime()) throw new Error('the certificate is not valid yet');
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return null;
  return cert;
}

async function writeAtomically(file: string, data: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, data, { mode });
  await rename(temp, file);
}
