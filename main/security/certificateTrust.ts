import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';

/**
 * Which TLS certificates the app accepts beyond what Chromium vouches for, decided for each
 * certificate Chromium checks (session.setCertificateVerifyProc):
 * - a certificate Chromium accepts, or one from any host but the configured server: Chromium's
 *   verdict, unchanged;
 * - the in-app server's own certificate ("host on this computer"): accepted;
 * - a self-signed certificate of the configured server (another computer hosting Earshot on the
 *   LAN): accepted once the person has compared its fingerprint with the one the host shows and
 *   said so (the answer is stored per host name, trust on first use); a certificate that differs
 *   from the one trusted before is asked about again, with a warning. A "no" holds until the app
 *   restarts, so reconnect attempts do not ask again and again.
 * Trust lives in its own store in the main process; the page cannot read or add to it.
 */

/** The callback values of setCertificateVerifyProc. */
export const VERIFY_ACCEPT = 0;
export const VERIFY_REJECT = -2;
export const VERIFY_USE_CHROMIUM = -3;
export type VerifyResult = typeof VERIFY_ACCEPT | typeof VERIFY_REJECT | typeof VERIFY_USE_CHROMIUM;

/** What the verify proc is asked (from Electron's request). */
export interface CertificateCheck {
  hostname: string;
  /** The server's certificate, PEM. */
  certificatePem: string;
  /** Chromium's verdict: `OK`, or an error such as `net::ERR_CERT_AUTHORITY_INVALID`. */
  verificationResult: string;
}

export interface TrustQuestion {
  hostname: string;
  fingerprint: string;
  /** The fingerprint trusted for this host before, when the certificate changed. */
  previous: string | null;
}

/** The slice of electron-store (conf) the trust store uses. */
export interface TrustKeyValue {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

const TRUSTED_KEY = 'trusted';
const Trusted = z.record(z.string().max(255), z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/));

export interface CertificateTrustOptions {
  store: TrustKeyValue;
  /** The server the app talks to (serverUrl.ts). */
  serverUrl: () => string;
  /** The in-app server's certificate fingerprint while it runs. */
  hostedFingerprint: () => string | null;
  /** Ask the person whether to trust a certificate; true = trust. */
  ask: (question: TrustQuestion) => Promise<boolean>;
  logger?: Logger;
}

export class CertificateTrust {
  readonly #options: CertificateTrustOptions;
  readonly #logger: Logger;
  readonly #refused = new Set<string>();
  readonly #asking = new Map<string, Promise<boolean>>();

  constructor(options: CertificateTrustOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  async verify(check: CertificateCheck): Promise<VerifyResult> {
    if (check.verificationResult === 'OK') return VERIFY_USE_CHROMIUM;
    const hostname = check.hostname.toLowerCase();
    if (hostname !== serverHostname(this.#options.serverUrl())) return VERIFY_USE_CHROMIUM;
    const fingerprint = fingerprintOf(check.certificatePem);
    if (!fingerprint) return VERIFY_USE_CHROMIUM;
    if (fingerprint === this.#options.hostedFingerprint()) return VERIFY_ACCEPT;
    const previous = this.#trusted()[hostname] ?? null;
    if (previous === fingerprint) return VERIFY_ACCEPT;
    const key = `${hostname} ${fingerprint}`;
    if (this.#refused.has(key)) return VERIFY_REJECT;

    let answer = this.#asking.get(key);
    if (!answer) {
      answer = this.#options.ask({ hostname, fingerprint, previous }).catch((error: unknown) => {
        this.#logger.warn('could not ask about a certificate', { hostname, error: String(error) });
        return false;
      });
      this.#asking.set(key, answer);
      void answer.finally(() => this.#asking.delete(key));
    }
    if (!(await answer)) {
      this.#refused.add(key);
      this.#logger.warn('certificate not trusted', { hostname, fingerprint });
      return VERIFY_REJECT;
    }
    this.#options.store.set(TRUSTED_KEY, { ...this.#trusted(), [hostname]: fingerprint });
    this.#logger.info('certificate trusted', { hostname, fingerprint, replaced: previous });
    return VERIFY_ACCEPT;
  }

  /** Host name → the fingerprint trusted for it (a damaged store reads as empty). */
  #trusted(): Record<string, string> {
    const parsed = Trusted.safeParse(this.#options.store.get(TRUSTED_KEY) ?? {});
    return parsed.success ? parsed.data : {};
  }
}

/** The text of the question (a native message box): what to compare, and a warning when it changed. */
export function trustQuestionText(question: TrustQuestion): { title: string; message: string; detail: string; trustLabel: string } {
  const changed = question.previous !== null;
  return {
    title: changed ? 'Server certificate changed' : 'Unverified server certificate',
    message: changed
      ? `The certificate of ${question.hostname} is not the one you trusted before.`
      : `No certificate authority vouches for ${question.hostname}.`,
    detail: [
      'If it is an Earshot hosted on a computer in your network, compare this fingerprint with the one shown in that computer’s Settings, under “Host on this computer”:',
      '',
      `SHA-256 ${question.fingerprint}`,
      ...(changed ? ['', `Trusted before: ${question.previous}`, '', 'It changes when the host makes a new certificate. If nobody did, someone may be listening in: do not trust it.'] : []),
      '',
      'Trust it only if the fingerprints match.',
    ].join('\n'),
    trustLabel: 'Trust this server',
  };
}

/** The server URL's host name as Chromium reports it (lower case, IPv6 without brackets); '' if none. */
export function serverHostname(serverUrl: string): string {
  try {
    return new URL(serverUrl).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  } catch {
    return '';
  }
}

function fingerprintOf(pem: string): string | null {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return null;
  }
}
