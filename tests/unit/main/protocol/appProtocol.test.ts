import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppProtocolHandler, mimeTypeOf, resolveAppFile } from '../../../../main/protocol/appProtocol.js';
import { isAppUrl, originOf } from '../../../../main/protocol/appOrigin.js';

const ROOT = path.resolve('/srv/earshot/dist/renderer');

describe('appOrigin', () => {
  it('gives app://earshot as the origin of app URLs and real origins for http', () => {
    expect(originOf('app://earshot/index.html#/ring')).toBe('app://earshot');
    expect(originOf('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080');
    expect(originOf('not a url')).toBeNull();
    expect(isAppUrl('app://earshot/')).toBe(true);
    expect(isAppUrl('app://evil/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
  });
});

describe('appProtocol', () => {
  describe('resolveAppFile', () => {
    it('maps the root and plain paths into the renderer folder', () => {
      expect(resolveAppFile(ROOT, 'app://earshot/')).toBe(path.join(ROOT, 'index.html'));
      expect(resolveAppFile(ROOT, 'app://earshot/index.html?x=1#/ring')).toBe(path.join(ROOT, 'index.html'));
      expect(resolveAppFile(ROOT, 'app://earshot/assets/index-abc.js')).toBe(path.join(ROOT, 'assets/index-abc.js'));
    });

    it('refuses other hosts and schemes', () => {
      expect(resolveAppFile(ROOT, 'app://other/index.html')).toBeNull();
      expect(resolveAppFile(ROOT, 'file:///etc/passwd')).toBeNull();
      expect(resolveAppFile(ROOT, 'nonsense')).toBeNull();
    });

    it.each([
      'app://earshot/..%2f..%2fetc%2fpasswd',
      'app://earshot/assets/..%2F..%2F..%2Fsecret',
      'app://earshot/%2e%2e%5csecret',
      'app://earshot/index.html%00.png',
      'app://earshot/%E0%A4%A',
    ])('refuses %s (traversal, encoded separators, NUL, bad encoding)', (url) => {
      expect(resolveAppFile(ROOT, url)).toBeNull();
    });

    it('resolves dot segments (literal or %2e) the way the URL parser does, clamped at the root', () => {
      expect(resolveAppFile(ROOT, 'app://earshot/assets/../index.html')).toBe(path.join(ROOT, 'index.html'));
      expect(resolveAppFile(ROOT, 'app://earshot/%2e%2e/%2e%2e/etc/passwd')).toBe(path.join(ROOT, 'etc/passwd'));
    });
  });

  it('knows the MIME types the renderer build produces', () => {
    expect(mimeTypeOf('a/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeOf('x.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeOf('x.css')).toBe('text/css; charset=utf-8');
    expect(mimeTypeOf('x.svg')).toBe('image/svg+xml');
    expect(mimeTypeOf('x.wav')).toBe('audio/wav');
    expect(mimeTypeOf('x.unknown')).toBe('application/octet-stream');
  });

  describe('createAppProtocolHandler', () => {
    const files: Record<string, string> = { [path.join(ROOT, 'index.html')]: '<!doctype html>', [path.join(ROOT, 'assets/a.js')]: 'export {}' };
    const handler = createAppProtocolHandler({
      root: ROOT,
      readFile: async (file) => {
        const text = files[file];
        if (text === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return new TextEncoder().encode(text);
      },
      contentSecurityPolicy: () => "default-src 'self'",
    });

    it('serves files with MIME type, CSP and nosniff', async () => {
      const res = await handler(new Request('app://earshot/'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe('<!doctype html>');
      const js = await handler(new Request('app://earshot/assets/a.js'));
      expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    });

    it('answers 404 for missing files, 403 for traversal, 405 for other methods', async () => {
      expect((await handler(new Request('app://earshot/nope.js'))).status).toBe(404);
      expect((await handler(new Request('app://earshot/..%2f..%2fetc%2fpasswd'))).status).toBe(403);
      const post = await handler(new Request('app://earshot/index.html', { method: 'POST', body: 'x' }));
      expect(post.status).toBe(405);
      expect(post.headers.get('content-security-policy')).toBe("default-src 'self'");
    });

    it('answers HEAD without a body', async () => {
      const res = await handler(new Request('app://earshot/index.html', { method: 'HEAD' }));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    });
  });
});
