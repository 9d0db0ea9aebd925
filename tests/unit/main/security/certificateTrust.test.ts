import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CertificateTrust,
  serverHostname,
  trustQuestionText,
  VERIFY_ACCEPT,
  VERIFY_REJECT,
  VERIFY_USE_CHROMIUM,
  type TrustQuestion,
} from '../../../../main/security/certificateTrust.js';

const UNTRUSTED = 'net::ERR_CERT_AUTHORITY_INVALID';
let lanCert: string;
let otherCert: string;

beforeAll(async () => {
  const make = async () => (await generate([{ name: 'commonName', value: 'Earshot on desk' }], { keyType: 'ec', algorithm: 'sha256' })).cert;
  [lanCert, otherCert] = await Promise.all([make(), make()]);
});

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

function memoryStore() {
  const values = new Map<string, unknown>();
  return { get: (k: string) => values.get(k), set: (k: string, v: unknown) => void values.set(k, v), values };
}

function setup(options: { serverUrl?: string; hosted?: string | null; answers?: boolean[]; store?: ReturnType<typeof memoryStore> } = {}) {
  const store = options.store ?? memoryStore();
  const answers = [...(options.answers ?? [])];
  const questions: TrustQuestion[] = [];
  const ask = vi.fn(async (question: TrustQuestion) => {
    questions.push(question);
    const answer = answers.shift();
    if (answer === undefined) throw new Error('no answer expected');
    return answer;
  });
  const trust = new CertificateTrust({
    store,
    serverUrl: () => options.serverUrl ?? 'https://192.168.1.20:8443',
    hostedFingerprint: () => options.hosted ?? null,
    ask,
  });
  const check = (pem: string, hostname = '192.168.1.20', verificationResult = UNTRUSTED) => trust.verify({ hostname, certificatePem: pem, verificationResult });
  return { trust, store, ask, questions, check };
}

describe('CertificateTrust', () => {
  it('leaves certificates Chromium accepts, and every other host, to Chromium without asking', async () => {
    const t = setup();
    expect(await t.check(lanCert, '192.168.1.20', 'OK')).toBe(VERIFY_USE_CHROMIUM);
    expect(await t.check(lanCert, 'evil.example.com')).toBe(VERIFY_USE_CHROMIUM);
    expect(await t.check('not a certificate')).toBe(VERIFY_USE_CHROMIUM);
    expect(t.ask).not.toHaveBeenCalled();
  });

  it('accepts the in-app server\'s own certificate without asking', async () => {
    const t = setup({ serverUrl: 'https://127.0.0.1:8443', hosted: fingerprint(lanCert) });
    expect(await t.check(lanCert, '127.0.0.1')).toBe(VERIFY_ACCEPT);
    // Another self-signed certificate on the same address is not the app's own: it is asked about.
    const other = setup({ serverUrl: 'https://127.0.0.1:8443', hosted: fingerprint(lanCert), answers: [false] });
    expect(await other.check(otherCert, '127.0.0.1')).toBe(VERIFY_REJECT);
  });

  it('asks once about an unknown certificate of the server; a yes is kept across restarts', async () => {
    const t = setup({ answers: [true] });
    const results = await Promise.all([t.check(lanCert), t.check(lanCert), t.check(lanCert)]);
    expect(results).toEqual([VERIFY_ACCEPT, VERIFY_ACCEPT, VERIFY_ACCEPT]);
    expect(t.questions).toEqual([{ hostname: '192.168.1.20', fingerprint: fingerprint(lanCert), previous: null }]);

    const restarted = setup({ store: t.store });
    expect(await restarted.check(lanCert)).toBe(VERIFY_ACCEPT);
    expect(restarted.ask).not.toHaveBeenCalled();
    // Trust is per host name: the same certificate elsewhere is not trusted by it.
    const elsewhere = setup({ store: t.store, serverUrl: 'https://10.0.0.9:8443', answers: [false] });
    expect(await elsewhere.check(lanCert, '10.0.0.9')).toBe(VERIFY_REJECT);
  });

  it('rejects after a no and does not ask again in this run (reconnects would ask over and over)', async () => {
    const t = setup({ answers: [false] });
    expect(await t.check(lanCert)).toBe(VERIFY_REJECT);
    expect(await t.check(lanCert)).toBe(VERIFY_REJECT);
    expect(t.ask).toHaveBeenCalledTimes(1);
    expect(t.store.values.size).toBe(0);
  });

  it('asks again, naming the old fingerprint, when a trusted host shows another certificate', async () => {
    const t = setup({ answers: [true, false, true] });
    expect(await t.check(lanCert)).toBe(VERIFY_ACCEPT);
    expect(await t.check(otherCert)).toBe(VERIFY_REJECT);
    expect(t.questions[1]).toEqual({ hostname: '192.168.1.20', fingerprint: fingerprint(otherCert), previous: fingerprint(lanCert) });
    // Refusing the new one keeps the old trust.
    expect(await t.check(lanCert)).toBe(VERIFY_ACCEPT);
    const later = setup({ store: t.store, answers: [true] });
    expect(await later.check(otherCert)).toBe(VERIFY_ACCEPT);
    expect(await later.check(lanCert, '192.168.1.20')).not.toBe(VERIFY_ACCEPT); // replaced, not added
  });

  it('rejects when the question cannot be asked, and reads a damaged store as empty', async () => {
    const failing = setup({ answers: [] });
    expect(await failing.check(lanCert)).toBe(VERIFY_REJECT);
    const store = memoryStore();
    store.set('trusted', { '192.168.1.20': 'not a fingerprint' });
    const damaged = setup({ store, answers: [false] });
    expect(await damaged.check(lanCert)).toBe(VERIFY_REJECT);
    expect(damaged.ask).toHaveBeenCalledTimes(1);
  });

  it('matches host names as Chromium reports them', () => {
    expect(serverHostname('https://Desk.Local:8443/')).toBe('desk.local');
    expect(serverHostname('https://[fe80::1]:8443')).toBe('fe80::1');
    expect(serverHostname('nonsense')).toBe('');
  });

  it('the question shows the fingerprint to compare, and warns when it changed', () => {
    const first = trustQuestionText({ hostname: '192.168.1.20', fingerprint: 'AA:BB', previous: null });
    expect(first.message).toContain('192.168.1.20');
    expect(first.detail).toContain('SHA-256 AA:BB');
    expect(first.detail).toContain('Host on this computer');
    const changed = trustQuestionText({ hostname: '192.168.1.20', fingerprint: 'AA:BB', previous: 'CC:DD' });
    expect(changed.title).toBe('Server certificate changed');
    expect(changed.detail).toContain('Trusted before: CC:DD');
    expect(changed.detail).toContain('do not trust it');
  });
});
