import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, serverOrigins } from '../../../../main/security/csp.js';

const directive = (csp: string, name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));

describe('contentSecurityPolicy', () => {
  it('lets the page connect to its server over http and ws, nothing else', () => {
    const csp = contentSecurityPolicy('http://127.0.0.1:8080/');
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self' http://127.0.0.1:8080 ws://127.0.0.1:8080");
    expect(directive(csp, 'script-src')).toBe("script-src 'self'");
    expect(directive(csp, 'object-src')).toBe("object-src 'none'");
    expect(directive(csp, 'frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    expect(directive(csp, 'script-src')).not.toContain('unsafe-inline');
  });

  it('pairs https with wss', () => {
    expect(serverOrigins('https://talk.example.com:8443/base')).toEqual(['https://talk.example.com:8443', 'wss://talk.example.com:8443']);
  });

  it('adds nothing for an empty, malformed or non-http server URL (a bad setting cannot widen the policy)', () => {
    for (const bad of ['', 'not a url', 'javascript:alert(1)', "http://x; script-src 'unsafe-inline'", 'file:///etc']) {
      expect(directive(contentSecurityPolicy(bad), 'connect-src')).toMatch(/^connect-src 'self'( http:\/\/x ws:\/\/x)?$/);
    }
    expect(serverOrigins('ftp://example.com')).toEqual([]);
  });
});
