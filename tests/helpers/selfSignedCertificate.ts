import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SelfSignedCertificate {
  /** PEM certificate (self-signed, EC P-256, valid one day). */
  certFile: string;
  /** PEM private key, unencrypted. */
  keyFile: string;
  /**
   * base64(SHA-256(SubjectPublicKeyInfo)) of the certificate's key: what Chromium's
   * `--ignore-certificate-errors-spki-list` takes (see chromium.ts `trustedSpkis`).
   */
  spkiSha256: string;
}

/**
 * A self-signed certificate from `openssl` (Debian package `openssl`, in scripts/setup.sh) for
 * the given IP addresses and DNS names (subjectAltName; the first one is also the CN), written
 * to `dir` as `<name>.pem` and `<name>.key`.
 */
export async function createSelfSignedCertificate(opts: { dir: string; name?: string; ips?: string[]; dnsNames?: string[] }): Promise<SelfSignedCertificate> {
  const ips = opts.ips ?? [];
  const dnsNames = opts.dnsNames ?? [];
  const cn = ips[0] ?? dnsNames[0];
  if (!cn) throw new Error('createSelfSignedCertificate: give at least one IP address or DNS name');
  const name = opts.name ?? 'cert';
  const certFile = path.join(opts.dir, `${name}.pem`);
  const keyFile = path.join(opts.dir, `${name}.key`);
  const san = [...ips.map((ip) => `IP:${ip}`), ...dnsNames.map((dns) => `DNS:${dns}`)].join(',');
  // EC P-256: generated in milliseconds (RSA keys take noticeably longer on a busy 2-core machine).
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${cn}`];
  args.push('-addext', `subjectAltName=${san}`, '-addext', 'extendedKeyUsage=serverAuth', '-keyout', keyFile, '-out', certFile);
  try {
    await run('openssl', args, { timeout: 30_000 });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    throw new Error(`openssl could not make a certificate: ${e.code === 'ENOENT' ? 'not installed (apt-get install openssl)' : (e.stderr ?? e.message).trim()}`, { cause: error });
  }
  const spki = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  return { certFile, keyFile, spkiSha256: createHash('sha256').update(spki).digest('base64') };
}
