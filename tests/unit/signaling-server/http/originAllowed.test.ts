import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { originAllowed } from '../../../../signaling-server/http/originAllowed.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const options = { corsOrigins: ['app://earshot'], trustProxy: false };

describe('originAllowed', () => {
  it('lets in requests without an Origin (not browsers), the configured origins and the host the request was sent to', () => {
    expect(originAllowed(request({ host: 'talk.example:8443' }), options)).toBe(true);
    expect(originAllowed(request({ host: 'talk.example:8443', origin: 'app://earshot' }), options)).toBe(true);
    expect(originAllowed(request({ host: 'talk.example:8443', origin: 'https://talk.example:8443' }), options)).toBe(true);
    expect(originAllowed(request({ host: 'Talk.Example', origin: 'https://talk.example' }), options)).toBe(true);
  });

  it('refuses other hosts, other ports, look-alike names, "null" and garbage', () => {
    for (const origin of ['https://evil.example', 'https://talk.example:8444', 'https://talk.example.evil.example:8443', 'null', '::', 'app://other']) {
      expect(originAllowed(request({ host: 'talk.example:8443', origin }), options), origin).toBe(false);
    }
    expect(originAllowed(request({ origin: 'https://talk.example' }), options)).toBe(false);
  });

  it("counts a proxy's X-Forwarded-Host only when the proxy is trusted", () => {
    const behindProxy = request({ host: '127.0.0.1:8080', origin: 'https://talk.example', 'x-forwarded-host': 'talk.example' });
    expect(originAllowed(behindProxy, options)).toBe(false);
    expect(originAllowed(behindProxy, { ...options, trustProxy: true })).toBe(true);
  });
});
